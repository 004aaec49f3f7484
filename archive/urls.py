from django.urls import path

from . import api, views

urlpatterns = [
    path("articles/<str:slug>/", views.article, name="article"),
    path("api/articles/", api.article_list, name="api-articles"),
    path("api/articles/<int:pk>/", api.article_detail, name="api-article"),
]
