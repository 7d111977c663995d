from .views import config

app_name = "kindapp"
urlpatterns = config.urls()
