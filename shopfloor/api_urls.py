from rest_framework.routers import SimpleRouter

from shopfloor import api

router = SimpleRouter(trailing_slash=False)
router.register("plants", api.PlantViewSet, basename="shopfloor-plant")
router.register("materials", api.MaterialViewSet, basename="shopfloor-material")
router.register("work-orders", api.WorkOrderViewSet, basename="shopfloor-work-order")
router.register("ncrs", api.NCRViewSet, basename="shopfloor-ncr")

urlpatterns = router.urls
