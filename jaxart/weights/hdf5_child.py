"""What a Keras or HED VGG HDF5 file holds, read in a child process that hdf5.py can stop.

A damaged or forged file can make HDF5's C code loop forever, deaf to Ctrl-C (a B-tree node whose right
sibling is itself, while a layer's arrays are listed), or recurse until it crashes (a B-tree node whose
child is itself). Only the process reading it can be stopped, so it is this script, run by path with
`python -I` and importing only h5py and NumPy (no jaxart module: it reads the file alone):

    python -I hdf5_child.py FILE OUT_DIR MOST LAYERS

LAYERS is a JSON list of [block, index] whose arrays to read, MOST the most values one may hold. It prints
one JSON line (see `contents`), and saves the arrays read in OUT_DIR as "B_I_K.npy".

Every link in the file is looked at, not followed, before any is: a link to another file (which a FIFO there
makes block forever) or a soft link to nothing ends the reading at once.
"""

import json
import math
import sys

import h5py
import numpy as np

DEEPEST = 5  # blocks, and convolutions per block looked for: VGG19 has 4, and one more tells a deeper VGG


def sniff(f):
    if "block1_conv1" in f or "layers/block1_conv1" in f:
        return "keras-h5"
    if "block1/layers/conv2d" in f:
        return "hed"
    return None


def stray_link(f):
    """{"linked": where} for the first link to another file, {"damaged": where} for a soft link to a path the
    file lacks, or None. Keras 2, Keras 3 and HED files hold hard links only. HDF5's visit of the links follows
    none, and its callback here neither touches an object (as h5py's visititems_links does) nor raises."""
    def text(name):
        return name.decode(errors="replace")

    stray, soft = [], []
    f.id.links.visit(lambda name, info: stray.append(name) if info.type != h5py.h5l.TYPE_HARD else None, info=True)
    for name in stray:
        value = f.id.links.get_val(name)
        if isinstance(value, tuple):  # an external link: (file, path)
            return {"linked": f"/{text(name)} names {text(value[1])} in {text(value[0])}"}
        soft.append((text(name), text(value)))
    for name, target in soft:  # followed only now that no link to another file is left to follow
        try:
            missing = f.get(name) is None
        except RuntimeError:  # soft links that name each other: "too many links"
            missing = True
        if missing:
            return {"damaged": f"its link /{name} names {target}, which is not in the file"}
    return None


def layer_group(f, layout, block, index):
    if layout == "hed":  # each block is a Keras 3 Sequential whose convs are conv2d, conv2d_1, ...
        suffix = "" if index == 1 else f"_{index - 1}"
        return f.get(f"block{block}/layers/conv2d{suffix}")
    name = f"block{block}_conv{index}"
    return f.get(name) or f.get(f"layers/{name}")


def array(obj, most):
    """h5py allocates a dataset's declared shape before reading it: a damaged one could ask for terabytes."""
    if isinstance(obj, h5py.Dataset) and (obj.external or obj.is_virtual):  # a FIFO there blocks forever
        raise ValueError("its values are kept in another file, which a weights file never does")
    shape = getattr(obj, "shape", None)
    if isinstance(obj, h5py.Dataset) and shape is not None and math.prod(shape) > most:
        raise ValueError(f"an array of shape {shape} is larger than any VGG layer's")
    found = np.asarray(obj)
    if found.dtype.hasobject:  # strings: no weights, and NumPy would pickle them to hand them back
        raise TypeError(f"an array of {found.dtype} values")
    return found


def arrays(group, most):
    # Keras 2 also lists a layer's arrays in a `weight_names` attribute, whose strings may be of variable
    # length, kept in the file's global heap: reading them where that heap is damaged loops forever in
    # HDF5's C code (2.0.0). The arrays are the group's datasets, so walking the group finds them.
    if "vars" in group:  # Keras 3 .weights.h5 files
        return [array(group["vars"][k], most) for k in sorted(group["vars"], key=int)]
    found = []
    group.visititems(lambda _, obj: found.append(array(obj, most)) if isinstance(obj, h5py.Dataset) else None)
    return found


def contents(path, most, layers):
    """{"layout": ..., "groups": {"B_I": group name}, "read": {"B_I": count}, "malformed": [B, I, message]}, or
    {"unreadable": message}, {"damaged": message} or {"linked": message}; and the arrays read, by "B_I_K"."""
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        return {"unreadable": str(e)}, {}
    saved, read, malformed = {}, {}, None
    try:
        with f:
            stray = stray_link(f)
            if stray is not None:
                return stray, {}
            layout = sniff(f)
            if layout is None:
                return {"layout": None}, {}
            groups = {}
            for block in range(1, DEEPEST + 1):
                for index in range(1, DEEPEST + 1):
                    group = layer_group(f, layout, block, index)
                    if group is not None:
                        groups[f"{block}_{index}"] = group.name
            for block, index in layers:
                group = layer_group(f, layout, block, index)
                if group is None:
                    continue
                try:
                    found = arrays(group, most)
                except (KeyError, AttributeError, TypeError, ValueError) as e:  # a group of another shape
                    malformed = [block, index, f"{type(e).__name__}: {e}"]
                    break
                read[f"{block}_{index}"] = len(found)
                saved.update({f"{block}_{index}_{k}": a for k, a in enumerate(found)})
    except (OSError, RuntimeError, KeyError, ValueError, TypeError) as e:
        text = str(e)
        return {"damaged": f"{type(e).__name__}: {text}" if text else type(e).__name__}, {}
    return {"layout": layout, "groups": groups, "read": read, "malformed": malformed}, saved


if __name__ == "__main__":
    path, out, most, layers = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
    facts, saved = contents(path, most, layers)
    try:
        for key, a in saved.items():
            np.save(f"{out}/{key}.npy", a, allow_pickle=False)
    except OSError as e:  # the temporary folder full or gone: the file itself was read
        facts = {"unsaved": str(e)}
    print(json.dumps(facts))
