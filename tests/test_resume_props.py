"""What `--resume` reads from a checkpoint, checked on the checkpoint alone (no run): the step, the
background, the outputs it continues, and which existing image is its own to replace."""

import json

import numpy as np
import pytest

import jaxart
from jaxart import __version__, checkpoint, resume
from jaxart.errors import InputError


def _meta(**changes):
    meta = {"jaxart": __version__, "weights_sha256": "0", "model": "m",
            "config": jaxart.StyleConfig(size=32, steps=4).to_dict(), "output": "/nowhere/o.png", "format": "png",
            "step": 1, "inputs": {"content": "c.jpg", "styles": ["s.jpg"], "background": [0, 0, 255]}}
    return json.loads(json.dumps({**meta, **changes}))  # as a checkpoint file holds it


def test_the_step_may_be_the_last_but_not_past_it_and_the_background_is_kept():
    *_, background = resume.from_checkpoint(checkpoint.Checkpoint(_meta(step=4), []))
    assert background == (0, 0, 255)
    with pytest.raises(InputError, match="checkpoint is at step 5 of a run of 4 steps"):
        resume.from_checkpoint(checkpoint.Checkpoint(_meta(step=5), []))


@pytest.mark.parametrize("field, value", [("save_every", -1), ("checkpoint_every", -2), ("animation", 3)])
def test_a_negative_interval_or_a_non_text_animation_is_refused(field, value):
    with pytest.raises(InputError, match="save_every, checkpoint_every or animation has the wrong type"):
        resume.resumed_outputs(checkpoint.Checkpoint(_meta(**{field: value}), []))


def test_only_the_interrupted_image_of_the_same_run_is_its_own_to_replace(tmp_path):
    out = tmp_path / "o.png"
    meta = _meta(output=str(out.resolve()))
    ckpt = checkpoint.Checkpoint(meta, [])
    assert resume.is_own_output(ckpt, out)  # nothing there yet
    assert not resume.is_own_output(ckpt, tmp_path / "other.png")
    pixels = np.zeros((2, 2, 3))
    own = {"interrupted": "SIGTERM", "config": meta["config"], "inputs": meta["inputs"]}
    jaxart.save_image(out, pixels, own)
    assert resume.is_own_output(ckpt, out)
    for record in ({k: v for k, v in own.items() if k != "interrupted"},  # a finished image written since
                   {**own, "inputs": {**meta["inputs"], "styles": ["t.jpg"]}},  # another run's
                   {**own, "config": {**meta["config"], "steps": 9}}):
        jaxart.save_image(out, pixels, record)
        assert not resume.is_own_output(ckpt, out), record


def test_a_resumed_run_continues_its_intervals_and_animation_unless_given_again(tmp_path):
    meta = _meta(save_every=2, checkpoint_every=3, animation=str(tmp_path / "a.gif"), frame_every=1,
                 frame_steps=[0], frames=1)
    ckpt = checkpoint.Checkpoint(meta, [], [np.zeros((2, 2, 3), np.uint8)])
    warned = []
    kept = resume.continuation(ckpt, tmp_path / "o.png", None, None, None, warned.append)
    assert (kept.save_every, kept.checkpoint_every, kept.animation) == (2, 3, tmp_path / "a.gif")
    assert kept.frames is not None and not warned
    given = resume.continuation(ckpt, tmp_path / "o.png", None, 5, 7, warned.append)
    assert (given.save_every, given.checkpoint_every) == (5, 7)
    damaged = ckpt._replace(frames=[])
    with pytest.raises(InputError, match=r"^checkpoint's animation frames are damaged; start the run again, or give "):
        resume.continuation(damaged, tmp_path / "o.png", None, None, None, warned.append)
    fresh = resume.continuation(damaged, tmp_path / "o.png", tmp_path / "b.gif", None, None, warned.append)
    assert fresh.frames is None and fresh.animation == tmp_path / "b.gif" and "damaged" in warned[-1]
