"""The product's URLs plus the floor: the least a Django view on this stack can do per request."""

from django.urls import path

from bench import floor
from config.urls import urlpatterns as product

urlpatterns = [
    path("bench/floor/write", floor.write, name="bench_floor_write"),
    path("bench/floor/read/<int:pk>", floor.read, name="bench_floor_read"),
    *product,
]
