from django.contrib import admin

from .models import CartItem, Order, OrderLine, Preferences, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "price")
    search_fields = ("name",)


@admin.register(CartItem)
class CartItemAdmin(admin.ModelAdmin):
    list_display = ("user", "product", "quantity")
    list_select_related = ("user", "product")
    raw_id_fields = ("user",)


@admin.register(Preferences)
class PreferencesAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name", "newsletter")
    list_select_related = ("user",)
    raw_id_fields = ("user",)


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ("product",)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("__str__", "created_at", "name", "email", "total", "user")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    inlines = [OrderLineInline]
