from django.urls import path

from .views import SecondmentExtendView, config

app_name = "secondments"
urlpatterns = [
    *config.urls(),
    path("<int:pk>/extend/", SecondmentExtendView.as_view(config=config), name="secondment_extend"),
]
