from .views import config

app_name = "meetings"
urlpatterns = config.urls()
