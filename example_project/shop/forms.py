from django import forms

from .models import MAX_QUANTITY, Preferences


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(
        min_value=0,
        max_value=MAX_QUANTITY,
        error_messages={
            "required": "Enter a quantity.",
            "invalid": "Enter a whole number.",
            "min_value": "The quantity cannot be negative.",
            "max_value": f"You can order at most {MAX_QUANTITY} of one product.",
        },
    )


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = Preferences
        fields = ["display_name", "shipping_address", "newsletter"]
        widgets = {"shipping_address": forms.Textarea(attrs={"rows": 3})}


class CheckoutForm(forms.Form):
    name = forms.CharField(max_length=100, label="Full name")
    email = forms.EmailField(
        label="Email", help_text="For the order confirmation. We never share it."
    )
    shipping_address = forms.CharField(
        max_length=300, label="Shipping address", widget=forms.Textarea(attrs={"rows": 3})
    )
