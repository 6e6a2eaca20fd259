from __future__ import annotations

from django.db import migrations

CATALOG = [
    {
        "id": "clipia/motion-v1",
        "name": "Clipia Motion v1",
        "description": "General-purpose text-to-video: 720p, up to 10 seconds, natural motion.",
        "price_credits": 20,
        "max_duration_seconds": 10,
    },
    {
        "id": "clipia/motion-v1-fast",
        "name": "Clipia Motion v1 Fast",
        "description": "Draft-quality text-to-video in seconds: 480p, up to 6 seconds.",
        "price_credits": 5,
        "max_duration_seconds": 6,
    },
    {
        "id": "clipia/cinema-v2",
        "name": "Clipia Cinema v2",
        "description": "Cinematic 1080p text-to-video with camera control, up to 15 seconds.",
        "price_credits": 60,
        "max_duration_seconds": 15,
    },
    {
        "id": "clipia/avatar-v1",
        "name": "Clipia Avatar v1",
        "description": "A talking presenter from a script: 1080p, up to 30 seconds.",
        "price_credits": 40,
        "max_duration_seconds": 30,
    },
]


def seed(apps, schema_editor):
    VideoModel = apps.get_model("api", "VideoModel")
    for entry in CATALOG:
        VideoModel.objects.update_or_create(id=entry["id"], defaults=entry)


def unseed(apps, schema_editor):
    VideoModel = apps.get_model("api", "VideoModel")
    VideoModel.objects.filter(id__in=[entry["id"] for entry in CATALOG]).delete()


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
