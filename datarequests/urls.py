from .views import config

app_name = "datarequests"
urlpatterns = config.urls()
