"""Admin forms for the phone-number user."""

from __future__ import annotations

from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm

from accounts.models import User


class UserCreateForm(BaseUserCreationForm[User]):
    class Meta:
        model = User
        fields = ("phone", "full_name")


class UserEditForm(UserChangeForm[User]):
    class Meta:
        model = User
        fields = "__all__"
