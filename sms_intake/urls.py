from django.urls import path

from sms_intake import views

app_name = "sms_intake"

urlpatterns = [
    path("inbound/", views.inbound_receive, name="inbound-receive"),
]
