"""Core forms."""

from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """The stock login form, with the browser hints a phone keyboard needs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocapitalize": "none", "autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
