"""Settings for the scale benchmark's server: the product's settings plus the floor views' URLs."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
