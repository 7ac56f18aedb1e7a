from guest_auth.adapter import GuestAdapter


class ExportAdapter(GuestAdapter):
    """Leaves out a model and a field, adds derived data."""

    def export_fields(self, request, model):
        label = model._meta.label
        if label == "mergeapp.CartItem":
            return None
        fields = super().export_fields(request, model)
        if label == "exportapp.Message":
            return [name for name in fields if name != "recipient"]
        return fields

    def export_extra(self, request, guest):
        from tests.exportapp.models import Message

        return {"messages_sent": Message.objects.filter(sender=guest).count()}
