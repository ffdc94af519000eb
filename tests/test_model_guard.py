"""The fast suite cannot load the real model: the guard of `tests/model_guard.py` stops a load."""

from __future__ import annotations

import pytest

from tests import model_guard


@pytest.mark.slow  # the autouse guard is off here; this test turns it on around one load
def test_loading_the_real_model_under_the_guard_is_stopped():
    if not model_guard.install():
        pytest.skip("the packaged model is not installed")
    from twitchtopics.components import packaged_minilm
    from twitchtopics.errors import ModelError

    with model_guard.guarding() as caught:
        with pytest.raises((ModelError, RuntimeError), match="fast test loads the real model"):
            packaged_minilm().encode(["bonsoir le chat"])
    assert caught and caught[0].endswith(model_guard.MODEL_LOAD_FILES)
