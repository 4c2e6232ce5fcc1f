from django.contrib.auth import views as auth_views
from django.urls import include, path

from comptoir.api.site import api

urlpatterns = [
    path("connexion/", auth_views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", include("comptoir.web.urls")),
]

# A request too large to read is a 413 page, not Django's bare 400 (comptoir/request_size.py).
handler400 = "comptoir.request_size.bad_request"
# The 500 page gives the request id to quote and never a trace (core/request_log.py).
handler500 = "comptoir.core.request_log.server_error"
