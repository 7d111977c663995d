from .views import config

app_name = "inspections"
urlpatterns = config.urls()
