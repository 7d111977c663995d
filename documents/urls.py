from .views import config

app_name = "documents"
urlpatterns = config.urls()
