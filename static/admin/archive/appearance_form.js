'use strict';
// The appearance form (archive/admin.py AppearanceAdmin): the sub-forum autocomplete offers
// only the sessions of the edition chosen above it (SubForumAdmin.get_search_results reads the
// "edition" parameter), and choosing another edition clears a sub-forum of the old one.
// A static file: the site's Content-Security-Policy allows no inline script.
window.addEventListener('load', function() {
    const $ = window.django && django.jQuery;
    const edition = document.getElementById('id_edition');
    const subForum = document.getElementById('id_sub_forum');
    if (!$ || !edition || !subForum || !$.fn.select2) {
        return;
    }
    const $subForum = $(subForum);
    if ($subForum.data('select2')) {
        $subForum.select2('destroy');
    }
    $subForum.select2({
        ajax: {
            data: (params) => ({
                term: params.term,
                page: params.page,
                app_label: subForum.dataset.appLabel,
                model_name: subForum.dataset.modelName,
                field_name: subForum.dataset.fieldName,
                edition: edition.value
            })
        }
    });
    $(edition).on('change', function() {
        $subForum.val(null).trigger('change');
    });
    subForum.dataset.followsEdition = 'true';  // ready (tests wait for it)
});
