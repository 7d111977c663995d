"""Core forms."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from . import login_guard


class LoginForm(AuthenticationForm):
    """The stock login form, with the browser hints a phone keyboard needs and a pause after failures."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocapitalize": "none", "autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if login_guard.is_locked(username, self.request):
            raise ValidationError(login_guard.LOCKED_MESSAGE, code="locked")
        try:
            cleaned = super().clean()
        except ValidationError:
            login_guard.record_failure(username, self.request)
            raise
        login_guard.clear(username)
        return cleaned
