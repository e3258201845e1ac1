from django.contrib import admin

from shequ.funds.models import FundAccount, FundApplication, LedgerEntry


@admin.register(FundAccount)
class FundAccountAdmin(admin.ModelAdmin):
    list_display = ["place", "balance_fen"]
    readonly_fields = ["balance_fen"]  # moves only through the ledger (services.ledger_post)
    raw_id_fields = ["place"]


@admin.register(FundApplication)
class FundApplicationAdmin(admin.ModelAdmin):
    list_display = ["title", "account", "status", "amount_fen", "paid_fen"]
    list_filter = ["status"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ["account", "kind", "amount_fen", "balance_after_fen", "at"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
