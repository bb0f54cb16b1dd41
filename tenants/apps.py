from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save


class TenantsConfig(AppConfig):
    name = "tenants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenants import domain_cache
        from tenants.models import Domain, Organization

        # The host → organisation cache (tenants.domain_cache) forgets a host when its rows change.
        pre_save.connect(domain_cache.domain_saving, sender=Domain, dispatch_uid="domain_cache_saving")
        post_save.connect(domain_cache.domain_changed, sender=Domain, dispatch_uid="domain_cache_saved")
        post_delete.connect(domain_cache.domain_changed, sender=Domain, dispatch_uid="domain_cache_deleted")
        post_save.connect(domain_cache.organization_changed, sender=Organization, dispatch_uid="domain_cache_org_saved")
        post_delete.connect(domain_cache.organization_changed, sender=Organization,
                            dispatch_uid="domain_cache_org_deleted")
