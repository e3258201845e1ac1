from django.urls import path

from shequ.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register, name="register"),
    path("register/places/", views.register_places, name="register_places"),
    path("profile/", views.profile, name="profile"),
    path("logins/", views.logins, name="logins"),
    path("password/", views.password_change, name="password_change"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("verify/", views.verify_queue, name="verify_queue"),
    path("verify/<int:pk>/", views.verify_decide, name="verify_decide"),
]
