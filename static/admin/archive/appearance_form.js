'use strict';
// The appearance form (archive/admin.py AppearanceAdmin): the sub-forum autocomplete offers
// only the sessions of the edition chosen above it (SubForumAdmin.get_search_results reads the
// "edition" parameter), and choosing another edition clears a sub-forum of the old one.
// A static file: the site's Content-Security-Policy allows no inline script.
//
// The edition is added to the sub-forum's autocomplete requests by a jQuery ajax prefilter,
// not by initialising select2 again: Django's own autocomplete.js initialises it on jQuery's
// ready, which may run before or after this file's handlers, and a second initialisation lost
// the race under load (the list then showed every edition's sessions).
window.addEventListener('load', function() {
    const $ = window.django && django.jQuery;
    const edition = document.getElementById('id_edition');
    const subForum = document.getElementById('id_sub_forum');
    if (!$ || !edition || !subForum) {
        return;
    }
    $.ajaxPrefilter(function(options) {
        const data = typeof options.data === 'string' ? options.data : '';
        const mine = data.indexOf('field_name=' + subForum.dataset.fieldName) !== -1 &&
            data.indexOf('model_name=' + subForum.dataset.modelName) !== -1;
        if (mine && edition.value) {
            options.data = data + '&edition=' + encodeURIComponent(edition.value);
        }
    });
    $(edition).on('change', function() {
        $(subForum).val(null).trigger('change');
    });
    subForum.dataset.followsEdition = 'true';  // ready (tests wait for it)
});
