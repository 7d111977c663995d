from .views import config

app_name = "workapps"
urlpatterns = config.urls()
