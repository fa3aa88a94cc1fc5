"""An ImageField that only ever stores clean pictures, for portraits and cover images.

The form field (used by the admin and any ModelForm) refuses a bad upload with a message that
says what is wrong; the model field's validator repeats the check for code that calls
``full_clean()`` directly; and ``pre_save`` stores the re-encoded picture under a name the server
chooses, then makes its renditions. All of the checking and encoding lives in archive.images.
"""

from django import forms
from django.db import models

from .. import images

ACCEPT = "image/jpeg,image/png,image/webp"


class CleanImageFormField(forms.ImageField):
    """Judged by archive.images (content, formats, bytes and pixels), not by Django's check."""

    default_error_messages = {"invalid_image": images.MESSAGES["not_image"]}

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        image = images.open_image(upload)
        upload.content_type = images.MIME_TYPES[images.format_of(image)]
        setattr(upload, images.CHECKED_MARK, True)
        upload.seek(0)
        return upload

    def widget_attrs(self, widget):
        # forms.ImageField would add accept="image/*", inviting GIF, SVG and HEIC.
        attrs = forms.FileField.widget_attrs(self, widget)
        if not widget.is_hidden:
            attrs["accept"] = ACCEPT
        return attrs


class CleanImageField(models.ImageField):
    """models.ImageField that validates, re-encodes, renames and derives renditions on save."""

    def __init__(self, *args, **kwargs):
        validators = list(kwargs.pop("validators", ()))
        if images.validate_image not in validators:
            validators.append(images.validate_image)
        super().__init__(*args, validators=validators, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        validators = [v for v in kwargs.pop("validators", []) if v is not images.validate_image]
        if validators:
            kwargs["validators"] = validators
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CleanImageFormField, **kwargs})

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed:
            content = images.clean_image(file).as_file()
            file.save(content.name, content, save=False)
            try:
                images.make_renditions(file.name, storage=file.storage)
            except Exception:
                # Nothing of a failed upload stays in public media.
                images.delete_renditions(file.name, storage=file.storage)
                file.storage.delete(file.name)
                raise
        return file
