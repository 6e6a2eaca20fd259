"""The model catalog as the rest of the product asks for it."""

from __future__ import annotations

from clipia_console.generations.models import VideoModel


def model_ids() -> set[str]:
    """Every model id in the catalog (active or not): what an allowlist may name."""
    return set(VideoModel.objects.values_list("pk", flat=True))
