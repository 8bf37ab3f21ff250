from django import forms


class FindGuestOrdersForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address you ordered with",
        max_length=254,
        error_messages={"required": "Enter the e-mail address you gave at checkout.",
                        "invalid": "Enter an e-mail address like name@example.com."},
    )
