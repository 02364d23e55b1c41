"""3x3 convolutions by Winograd's minimal filtering, F(4x4, 3x3) (Lavin & Gray, "Fast Algorithms
for Convolutional Neural Networks", 2016).

Each 4x4 block of outputs comes from the 6x6 input tile around it: the tile and the kernel are
transformed (`BT d B`, `G g G^T`), multiplied elementwise, which for all tiles and channels is
36 matrix products, and transformed back (`AT m A`). That is 36 multiplications per 16 outputs
and input channel instead of 144: 4x fewer FLOPs in the products, plus memory-bound transforms.

XLA CPU has no Winograd convolution of its own. On a 2-core x86 CPU this one took 0.5-0.8x the time
of `lax.conv_general_dilated` for VGG's 128- to 512-channel layers (value and gradient); in the
64-channel ones it gained nothing for a whole VGG19 gradient at 256-512 px (BENCHMARKS.md, Winograd).
The results agree with `lax.conv_general_dilated` to about 1e-5 relative in float32.

On CPUs with bfloat16 instructions XLA multiplies bfloat16 matrices faster than float32 ones
(4-5x with Intel's AMX, Sapphire Rapids and later; 1.6-1.8x with AVX512-BF16 on AMD Zen 4), so
the backward pass can take its products in bfloat16 (`gradient="bfloat16"`, float32 sums): the
values stay float32-exact and the image gradient is within about 1.5% (vgg16-hed at 256 px),
which left L-BFGS's loss curve unchanged (BENCHMARKS.md, "bfloat16 gradients"). bfloat16 in
the forward pass as well was faster still, but it made the loss a rough function of the pixels
and L-BFGS stalled: 1.8% higher after 500 steps at 256 px.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jaxart.arrays import at_least_float32
from jaxart.convs import TILE  # outputs per tile side; each reads a (TILE + 2)-pixel input tile
# The transforms' matrices: `_bt` applies BT by shared sums, `_times` the others (tests/test_winograd.py).
BT = np.array([[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
               [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]], np.float64)
G = np.array([[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6],
              [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]], np.float64)
AT = np.array([[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]], np.float64)
_DIMENSIONS = ("NHWC", "HWIO", "NHWC")


def _bt(d: list[jax.Array]) -> list[jax.Array]:
    """`BT @ stack(d)` for the six rows `d` of a tile, as in NNPACK's transforms: the rows that
    share their nonzero columns (1 and 2, 3 and 4) are the sum and difference of two shared terms.
    17 operations instead of the 31 of the matrix's nonzero terms, and exact for small integers."""
    d0, d1, d2, d3, d4, d5 = d
    a, b, c, e = d4 - 4 * d2, d3 - 4 * d1, d4 - d2, 2 * (d3 - d1)
    return [c + 4 * (d0 - d2), a + b, a - b, c + e, c - e, d5 - d3 - 2 * e]


# `G g G^T` and `AT m A` of every kernel and tile at once, each one matrix product over the 3x3
# kernel or 6x6 products flattened in (row, column) order. Against the factorised sums (17 and 13
# operations per pass, as `_bt`) they halved a layer's compile time at the same evaluation time and
# float32 rounding (BENCHMARKS.md, "Compiling the Winograd convolution"). Not so the input's
# transform: 36 strided slices and one product compiled and ran slower than `_bt`'s two passes.
_GG, _AA = np.kron(G, G), np.kron(AT, AT)  # (36, 9), (16, 36)


def _times(matrix: np.ndarray, x: jax.Array) -> jax.Array:
    """`matrix @ x.reshape(len(matrix[0]), -1)` in float32 (or `x`'s wider dtype), `x`'s dtype out."""
    wide = at_least_float32(x.dtype)
    y = jnp.dot(jnp.asarray(matrix, wide), x.reshape(matrix.shape[1], -1).astype(wide), precision=lax.Precision.HIGHEST)
    return y.astype(x.dtype)


def transform_kernel(kernel: jax.Array) -> jax.Array:
    """(3, 3, Cin, Cout) HWIO kernel -> (36, Cin, Cout): `G g G^T` for every channel pair, in the
    (row, column) order of `_tiles`."""
    return _times(_GG, kernel).reshape((-1,) + kernel.shape[2:])


def _tiles(x: jax.Array) -> jax.Array:
    """(N, H, W, C) -> (36, N * th * tw, C): `BT d B` of every 6x6 tile of the zero-padded image,
    at a stride of 4 (th, tw = H / 4, W / 4 rounded up), in (row, column) order."""
    n, h, w, c = x.shape
    th, tw, a = -(-h // TILE), -(-w // TILE), TILE + 2
    x = jnp.pad(x, ((0, 0), (1, TILE * th + 1 - h), (1, TILE * tw + 1 - w), (0, 0)))
    rows = jnp.stack(_bt([x[:, i : i + TILE * th : TILE] for i in range(a)]))  # (6, N, th, W + 2, C)
    v = jnp.stack(_bt([rows[:, :, :, j : j + TILE * tw : TILE] for j in range(a)]), 1)  # (6, 6, N, th, tw, C)
    return v.reshape(a * a, n * th * tw, c)


def _untile(m: jax.Array, shape: tuple[int, int, int, int]) -> jax.Array:
    """(36, N * th * tw, Cout) products -> (N, H, W, Cout): `AT m A` of each tile, put in place."""
    n, h, w, cout = shape
    th, tw = -(-h // TILE), -(-w // TILE)
    y = _times(_AA, m).reshape(TILE, TILE, n, th, tw, cout)  # (row, column, ...)
    y = y.transpose(2, 3, 0, 4, 1, 5).reshape(n, TILE * th, TILE * tw, cout)
    return y[:, :h, :w]


def _forward(x: jax.Array, kernel: jax.Array, transposed: bool = False, products: str = "float32") -> jax.Array:
    """The convolution of `x` with `kernel`, or with its channels swapped if `transposed` (the
    contraction reads the transformed kernel either way round, so no transposed copy is made);
    the products' operands rounded to `products` unless that is "float32", their sums in `x`'s dtype."""
    # The kernel's transform needs the kernel alone, so in a jax.checkpoint'd stage jaxlib 0.11's CPU
    # scheduler ran every layer's at the stage's start and held them all (36 MiB each at 512 x 512
    # channels): a 128 px VGG19 gradient with remat held 266 MiB of temporaries, 59 MiB tied to `x` as
    # here (0.10.2: 65 MiB either way, the same program). The barrier is the identity: no value changes.
    x, kernel = lax.optimization_barrier((x, kernel))
    u, v = transform_kernel(kernel.astype(x.dtype)), _tiles(x)
    if products != "float32":
        u, v = u.astype(products), v.astype(products)
    m = jnp.einsum("ptd,pcd->ptc" if transposed else "ptc,pcd->ptd", v, u, preferred_element_type=x.dtype)
    return _untile(m, x.shape[:3] + (kernel.shape[2 if transposed else 3],))


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def conv3x3(x: jax.Array, kernel: jax.Array, gradient: str = "float32") -> jax.Array:
    """A 3x3, stride-1, SAME (zero-padded) convolution of NHWC `x` with HWIO `kernel`: the
    values of `lax.conv_general_dilated(x, kernel, (1, 1), "SAME", dimension_numbers=("NHWC",
    "HWIO", "NHWC"))`, computed by Winograd F(4x4, 3x3).

    Differentiable in reverse mode (`jax.grad`, `jax.vjp`) w.r.t. both arguments, not in forward
    mode (`jax.jvp`): JAX's TypeError, which `vgg.features` says again as jaxart's where it is raised inside it. Under
    a jit around `features`, JAX raises it as it compiles the jvp (its `custom_lin`, which has no rule but the
    error), with no jaxart code on the stack. Tried: `jax.custom_jvp` with the tangents as
    `jax.custom_derivatives.linear_call`s, this backward pass their transpose, compiles the very gradient program
    and makes jvp work, under a jit too; but JAX (0.10.2) has no batching rule for linear_call, so `vmap` of the
    gradient (a sweep), `jax.hessian` and `jax.jacfwd` failed. The gradient w.r.t. `x` is itself a Winograd
    convolution, with the kernel flipped and its channels swapped; the backward pass keeps nothing but `x` and
    `kernel`, not the transformed kernel (9 MiB for 512 x 512 channels, 36 MiB transformed). `gradient` is the
    dtype of that convolution's products ("float32" or "bfloat16", see the module's docstring).
    """
    return _forward(x, kernel)


def _conv3x3_fwd(x, kernel, gradient):
    return _forward(x, kernel), (x, kernel)


def _conv3x3_bwd(gradient, residuals, g):
    x, kernel = residuals
    dx = _forward(g, jnp.flip(kernel, (0, 1)), transposed=True, products=gradient)
    # XLA drops this when only the image's gradient is asked for, as in a style transfer run.
    direct = lambda k: lax.conv_general_dilated(x, k, (1, 1), "SAME", dimension_numbers=_DIMENSIONS)
    _, kernel_vjp = jax.vjp(direct, kernel)
    return dx, kernel_vjp(g)[0]


conv3x3.defvjp(_conv3x3_fwd, _conv3x3_bwd)


def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None, rhs_dilation=None,
                         dimension_numbers=None, feature_group_count=1, precision=None, *, gradient="float32"):
    """`lax.conv_general_dilated`'s signature, for `flax.linen.Conv(conv_general_dilated=...)`:
    `conv3x3` (with `gradient`) where that computes the same thing, `lax.conv_general_dilated`
    otherwise."""
    same = padding == "SAME" or (not isinstance(padding, str) and tuple(map(tuple, padding)) == ((1, 1),) * 2)
    plain = all(tuple(s or (1, 1)) == (1, 1) for s in (window_strides, lhs_dilation, rhs_dilation))
    layout = dimension_numbers is not None and lax.conv_dimension_numbers(
        lhs.shape, rhs.shape, dimension_numbers) == lax.conv_dimension_numbers(lhs.shape, rhs.shape, _DIMENSIONS)
    if same and plain and layout and rhs.shape[:2] == (3, 3) and feature_group_count == 1 and precision is None:
        return conv3x3(lhs, rhs, gradient)
    return lax.conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation,
                                    dimension_numbers, feature_group_count, precision=precision)
