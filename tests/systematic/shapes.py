"""Systematic cases of the functions that move, select, repeat and split elements: reshapes,
transposes and axis moves, flips and rolls, stacking and splitting, repeats and tiles, padding,
diagonals and triangles, and indexing (np.take, np.take_along_axis, subscripts with repeated
indices).

Each function runs over the shapes it accepts (scalars, vectors, matrices, 3-D arrays) and over
its keyword settings, written into the expressions (also positionally, and as array methods where
NumPy has them). These functions are linear, so order-2 cases square (or multiply) the result.
Functions returning lists (np.split and friends) are read by entry (`np.split(x, 2)[1]`) or
combined (`a[0] * a[1]`).
"""

from __future__ import annotations

from typing import List

from systematic import PY, Case, grid

CASES: List[Case] = []


def add(target, expression, shapes, label="", **options):
    CASES.extend(grid(target, expression, shapes, label=label, **options))


def each(*shapes):
    return [(shape,) for shape in shapes]


def function(params, *lines):
    """A case function with statements, as an expression for `function_from_source` (which
    writes `f = <expression>` into a module): `None`, then a `def f` that replaces it."""
    body = "".join(f"\n    {line}" for line in lines)
    return f"None\n\n\ndef f({params}):{body}\n"


def keyword_grid(target, template, table, **options):
    """`table`: (keywords, shapes) rows; `template` holds `{kw}` for the keyword text."""
    for keywords, shapes in table:
        text = f", {keywords}" if keywords else ""
        add(target, template.format(kw=text), shapes,
            label=keywords.replace(" ", "").replace("'", ""), **options)


# ---- reshape, ravel, flatten, squeeze, expand_dims, atleast_nd --------------------------------

keyword_grid("np.reshape", "lambda x: np.reshape(x, (2, 3){kw})", [
    ("", each((3, 2), (6,), (1, 6), (2, 3))),
    ("order='F'", each((3, 2), (6,))),
    ("order='A'", each((3, 2))),
])
add("np.reshape", "lambda x: np.reshape(x, -1)", each((), (3, 2), (2, 3, 2)), label="-1")
add("np.reshape", "lambda x: np.reshape(x, (1, -1, 1))", each((2,), (3, 2)), label="1,-1,1")
add("np.reshape", "lambda x: np.reshape(x, ())", each((), (1,), (1, 1)), label="scalar")
add("np.reshape", "lambda x: np.reshape(x.T, (2, 3), order='A')", each((2, 3)),
    label="fortran-A")
add("np.reshape", "lambda x: np.sum(np.reshape(x, (3, 2), order='F') ** 2 * x.T)",
    each((2, 3)), label="sumsq-F", order=2)
add("np.reshape", "lambda x: np.sum(np.reshape(x.T, (3, 2), order='A') ** 3)", each((3, 2)),
    label="cube-A", order=2)
add(".reshape", "lambda x: x.reshape(2, 3)", each((3, 2), (6,)))
add(".reshape", "lambda x: x.reshape((3, 2))", each((2, 3)), label="tuple")
add(".reshape", "lambda x: x.reshape(-1, order='F')", each((3, 2)), label="order=F")
add(".reshape", "lambda x: x.reshape(2, 3, order='C')", each((3, 2)), label="order=C")
add(".reshape", "lambda x: np.sum(x.reshape(-1) ** 2 * np.arange(6.0))", each((3, 2)),
    label="sumsq", order=2)

keyword_grid("np.ravel", "lambda x: np.ravel(x{kw})", [
    ("", each((), (2,), (3, 2), (2, 3, 2))),
    ("order='F'", each((3, 2), (2, 3, 2))),
    ("'F'", each((3, 2))),
    ("order='A'", each((3, 2))),
    ("order='K'", each((3, 2))),
])
add("np.ravel", "lambda x: np.ravel(x.T, order='K')", each((3, 2), (2, 3, 2)), label="K-of-T")
add("np.ravel", "lambda x: np.ravel(x.T, order='A')", each((3, 2)), label="A-of-T")
add("np.ravel", "lambda x: np.sum(np.ravel(x.T, order='K') ** 2 * np.arange(6.0))",
    each((3, 2)), label="sumsq-K-of-T", order=2)
add("np.ravel", "lambda x: np.sum(np.ravel(x, 'F') ** 3)", each((3, 2)), label="cube-F",
    order=2)
add(".ravel", "lambda x: x.ravel()", each((3, 2), (2,)))
add(".ravel", "lambda x: x.ravel('F')", each((3, 2)), label="F")
add(".flatten", "lambda x: x.flatten()", each((), (3, 2), (2, 3, 2)))
add(".flatten", "lambda x: x.flatten('F')", each((3, 2)), label="F")
add(".flatten", "lambda x: x.T.flatten(order='K')", each((3, 2)), label="K-of-T")
add(".flatten", "lambda x: np.sum(x.flatten() ** 2 * np.arange(6.0))", each((3, 2)),
    label="sumsq", order=2)

keyword_grid("np.squeeze", "lambda x: np.squeeze(x{kw})", [
    ("", each((1, 2), (3, 1), (1, 1), (2,), ())),
    ("axis=0", each((1, 2), (1, 1))),
    ("axis=1", each((3, 1))),
    ("axis=-1", each((2, 1))),
    ("axis=(0, 2)", each((1, 3, 1))),
])
add(".squeeze", "lambda x: x.squeeze()", each((1, 2), (3, 1)))
add(".squeeze", "lambda x: x.squeeze(0)", each((1, 3)), label="0")
add("np.squeeze", "lambda x: np.sum(np.squeeze(x) ** 3)", each((1, 3)), label="cube", order=2)

keyword_grid("np.expand_dims", "lambda x: np.expand_dims(x{kw})", [
    ("0", each((), (2,), (3, 2))),
    ("axis=1", each((2,), (3, 2))),
    ("axis=-1", each((2,), (3, 2))),
    ("axis=(0, 2)", each((2,), (3, 2))),
])
add("np.expand_dims", "lambda x: np.sum(np.expand_dims(x, 1) * x)", each((3,)), label="outer",
    order=2)

for name in ("np.atleast_1d", "np.atleast_2d", "np.atleast_3d"):
    add(name, f"lambda x: {name}(x)", each(PY, (), (2,), (3, 2), (2, 3, 2)))
    add(name, f"lambda x: np.sum({name}(x) ** 3)", each((2,)), label="cube", order=2)

# ---- transpose, swapaxes, moveaxis, broadcast_to ----------------------------------------------

keyword_grid("np.transpose", "lambda x: np.transpose(x{kw})", [
    ("", each((), (2,), (3, 2), (2, 3, 4))),
    ("(1, 0)", each((3, 2))),
    ("axes=(1, 0, 2)", each((2, 3, 4))),
    ("axes=(2, 0, 1)", each((2, 3, 4))),
    ("axes=(-1, 0, -2)", each((2, 3, 4))),
    ("axes=[0, 2, 1]", each((2, 3, 4))),
])
add("np.transpose", "lambda x: np.sum(np.transpose(x) * x[::-1, ::-1].T ** 2)", each((3, 2)),
    label="product", order=2)
add(".transpose", "lambda x: x.transpose()", each((3, 2), (2, 3, 4)))
add(".transpose", "lambda x: x.transpose(1, 0, 2)", each((2, 3, 4)), label="1,0,2")
add(".transpose", "lambda x: x.transpose((2, 0, 1))", each((2, 3, 4)), label="tuple")
add(".transpose", "lambda x: x.transpose(-1, 0)", each((3, 2)), label="negative")
add(".transpose", "lambda x: np.sum(x.transpose() @ x)", each((3, 2)), label="gram", order=2)
add("np.transpose", "lambda x: x.T", each((3, 2), (2, 3, 4)), label="T-attribute")
add("np.transpose", "lambda x: np.sum(x.T @ x * x[0])", each((3, 2)), label="T-attribute-gram",
    order=2)

keyword_grid("np.swapaxes", "lambda x: np.swapaxes(x{kw})", [
    ("0, 1", each((3, 2), (2, 3, 4))),
    ("0, 2", each((2, 3, 4))),
    ("-1, 0", each((2, 3, 4))),
    ("1, 1", each((3, 2))),
    ("axis1=2, axis2=1", each((2, 3, 4))),
])
add("np.swapaxes", "lambda x: np.sum(np.swapaxes(x, 0, 1) ** 2 * x.T)", each((3, 2)),
    label="product", order=2)
add(".swapaxes", "lambda x: x.swapaxes(0, 1)", each((3, 2), (2, 3, 4)))
add(".swapaxes", "lambda x: x.swapaxes(-1, 0)", each((2, 3, 4)), label="negative")
add(".swapaxes", "lambda x: np.sum(x.swapaxes(1, 0) ** 3)", each((3, 2)), label="cube",
    order=2)

keyword_grid("np.moveaxis", "lambda x: np.moveaxis(x{kw})", [
    ("0, 1", each((3, 2), (2, 3, 4))),
    ("0, -1", each((2, 3, 4))),
    ("-1, 0", each((2, 3, 4))),
    ("[0, 1], [2, 0]", each((2, 3, 4))),
    ("source=(0, 2), destination=(1, 0)", each((2, 3, 4))),
])
add("np.moveaxis", "lambda x: np.sum(np.moveaxis(x, 0, -1) ** 2 * np.arange(24.0).reshape(3, 4, 2))",
    each((2, 3, 4)), label="weighted", order=2)

keyword_grid("np.broadcast_to", "lambda x: np.broadcast_to(x{kw})", [
    ("(3, 2)", each((), (2,), (1, 2), (3, 1), (3, 2))),
    ("(2,)", each(PY, (), (1,))),
    ("shape=(2, 3, 2)", each((3, 2), (3, 1), (1,))),
])
add("np.broadcast_to", "lambda x: np.sum(np.broadcast_to(x, (3, 2)) ** 2 * np.arange(6.0).reshape(3, 2))",
    each((2,), (3, 1)), label="weighted", order=2)

# ---- stacking and joining ---------------------------------------------------------------------

CONCATENATE = [
    ("", [((2,), (3,)), ((3, 2), (1, 2))]),
    ("axis=0", [((3, 2), (2, 2))]),
    ("axis=1", [((3, 2), (3, 1)), ((2, 1, 2), (2, 3, 2))]),
    ("axis=-1", [((2,), (1,)), ((3, 2), (3, 3))]),
    ("axis=None", [((3, 2), (2,)), ((), (2,))]),
    ("0", [((2, 2), (1, 2))]),
]
for keywords, shapes in CONCATENATE:
    text = f", {keywords}" if keywords else ""
    add("np.concatenate", f"lambda a, b: np.concatenate([a, b]{text})", shapes,
        label=keywords.replace(" ", ""))
add("np.concatenate", "lambda a, b, c: np.concatenate((a, b, c), axis=1)",
    [((2, 1), (2, 2), (2, 3))], label="three")
add("np.concatenate", "lambda a: np.concatenate([a, 2.0 * a, a[::-1]])", each((3,), (2, 2)),
    label="same")
add("np.concatenate", "lambda a, b: np.sum(np.concatenate([a, b]) ** 3)", [((2,), (3,))],
    label="cube", order=2)
add("np.concatenate", "lambda a: np.sum(np.concatenate([a, a ** 2], axis=1) ** 2)",
    each((3, 2)), label="self", order=2)

STACK = [
    ("", [((), ()), ((2,), (2,)), ((3, 2), (3, 2))]),
    ("axis=1", [((2,), (2,)), ((3, 2), (3, 2))]),
    ("axis=-1", [((3, 2), (3, 2))]),
    ("2", [((3, 2), (3, 2))]),
]
for keywords, shapes in STACK:
    text = f", {keywords}" if keywords else ""
    add("np.stack", f"lambda a, b: np.stack([a, b]{text})", shapes,
        label=keywords.replace(" ", ""))
add("np.stack", "lambda a, b, c: np.stack((a, b, c), axis=1)", [((2,), (2,), (2,))],
    label="three")
add("np.stack", "lambda a, b: np.sum(np.stack([a, b]) ** 3)", [((2,), (2,))], label="cube",
    order=2)

add("np.vstack", "lambda a, b: np.vstack([a, b])",
    [((2,), (2,)), ((3, 2), (1, 2)), ((3, 2), (2,)), ((), ()), ((2, 2, 1), (1, 2, 1))])
add("np.vstack", "lambda a, b, c: np.vstack((a, b, c))", [((2,), (1, 2), (3, 2))],
    label="three")
add("np.vstack", "lambda a, b: np.sum(np.vstack([a, b]) ** 3)", [((2,), (3, 2))], label="cube",
    order=2)
add("np.hstack", "lambda a, b: np.hstack([a, b])",
    [((2,), (3,)), ((3, 2), (3, 1)), ((), ()), ((), (2,)), ((2, 1, 2), (2, 2, 2))])
add("np.hstack", "lambda a, b, c: np.hstack((a, b, c))", [((2, 1), (2, 2), (2, 3))],
    label="three")
add("np.hstack", "lambda a, b: np.sum(np.hstack([a, b]) ** 3)", [((3, 2), (3, 1))],
    label="cube", order=2)
add("np.dstack", "lambda a, b: np.dstack([a, b])",
    [((2,), (2,)), ((3, 2), (3, 2)), ((2, 2, 1), (2, 2, 2)), ((), ())])
add("np.dstack", "lambda a, b: np.sum(np.dstack([a, b]) ** 3)", [((3, 2), (3, 2))],
    label="cube", order=2)

add("np.array", "lambda a, b: np.array([a, b])",
    [((), ()), (PY, PY), ((2,), (2,)), ((3, 2), (3, 2)), (PY, ())])
add("np.array", "lambda a, b: np.array([[a, b], [b, a]])", [((), ()), (PY, PY), ((2,), (2,))],
    label="nested")
add("np.array", "lambda a, b: np.array((a, 2.0 * b, a * b))", [((), ()), ((2,), (2,))],
    label="tuple")
add("np.array", "lambda a: np.array(a)", each((), (3, 2)), label="array")
add("np.array", "lambda a, b: np.sum(np.array([a, b * a]) ** 2)", [((2,), (2,)), (PY, PY)],
    label="sumsq", order=2)

# ---- flips, rolls, rotations ------------------------------------------------------------------

keyword_grid("np.roll", "lambda x: np.roll(x{kw})", [
    ("2", each((5,), (3, 2))),
    ("-1", each((5,), (3, 2), (2, 3, 2))),
    ("1, axis=0", each((3, 2), (5,))),
    ("shift=-1, axis=1", each((3, 2))),
    ("4, 1", each((3, 2))),
    ("(1, 2), axis=(0, 1)", each((3, 2), (2, 3, 4))),
    ("(1, 1), axis=(0, 2)", each((2, 3, 4))),
    ("(2, -1), axis=(1, 1)", each((2, 3, 4))),
    ("0", each((), (3,))),
])
add("np.roll", "lambda x: np.sum(np.roll(x, 1) * x ** 2)", each((4,), (3, 2)), label="product",
    order=2)
add("np.roll", "lambda x: np.sum(np.roll(x, (1, 1), axis=(0, 1)) ** 3)", each((3, 2)),
    label="cube-tuple", order=2)

keyword_grid("np.flip", "lambda x: np.flip(x{kw})", [
    ("", each((), (5,), (3, 2), (2, 3, 2))),
    ("axis=0", each((5,), (3, 2))),
    ("axis=1", each((3, 2))),
    ("axis=-1", each((2, 3, 2))),
    ("axis=(0, 1)", each((3, 2), (2, 3, 2))),
    ("axis=(0, 2)", each((2, 3, 2))),
    ("1", each((3, 2))),
    ("axis=None", each((3, 2))),
])
add("np.flip", "lambda x: np.sum(np.flip(x) * x ** 2)", each((3,), (3, 2)), label="product",
    order=2)
add("np.fliplr", "lambda x: np.fliplr(x)", each((3, 2), (1, 2), (2, 3, 2)))
add("np.fliplr", "lambda x: np.sum(np.fliplr(x) * x ** 2)", each((3, 2)), label="product",
    order=2)
add("np.flipud", "lambda x: np.flipud(x)", each((3,), (3, 2), (2, 3, 2)))
add("np.flipud", "lambda x: np.sum(np.flipud(x) * x ** 2)", each((3, 2)), label="product",
    order=2)

keyword_grid("np.rot90", "lambda x: np.rot90(x{kw})", [
    ("", each((3, 2), (2, 3, 2))),
    ("2", each((3, 2))),
    ("k=3", each((3, 2))),
    ("k=-1", each((3, 2), (2, 2))),
    ("k=4", each((3, 2))),
    ("axes=(1, 0)", each((3, 2))),
    ("1, (1, 2)", each((2, 3, 4))),
    ("k=2, axes=(0, 2)", each((2, 3, 4))),
    ("axes=(-1, -2)", each((2, 3, 4))),
])
add("np.rot90", "lambda x: np.sum(np.rot90(x) ** 2 * np.rot90(x, 2).T)", each((3, 2)),
    label="product", order=2)

# ---- repeat, tile -----------------------------------------------------------------------------

keyword_grid("np.repeat", "lambda x: np.repeat(x{kw})", [
    ("2", each((), (3,), (3, 2), (2, 3, 2))),
    ("3, axis=0", each((3,), (3, 2))),
    ("2, axis=1", each((3, 2), (2, 3, 2))),
    ("2, axis=-1", each((2, 3, 2))),
    ("2, 0", each((3, 2))),
    ("[1, 0, 2], axis=0", each((3,), (3, 2))),
    ("[2, 1], axis=1", each((3, 2))),
    ("[0, 3], axis=-1", each((2, 3, 2))),
    ("[1, 2, 0, 1, 1, 3]", each((3, 2))),
    ("[2]", each((3,))),
    ("0", each((3,))),
    ("repeats=1", each((3, 2))),
])
add("np.repeat", "lambda x: np.repeat(x, np.array([1, 2, 3]), axis=0)", each((3, 2)),
    label="array-repeats")
add("np.repeat", "lambda x: np.sum(np.repeat(x, 2) ** 3)", each((3,)), label="cube", order=2)
add("np.repeat", "lambda x: np.sum(np.repeat(x, [1, 2, 0], axis=0) ** 2 * x[0])", each((3, 2)),
    label="array-product", order=2)
add(".repeat", "lambda x: x.repeat(2)", each((3, 2), ()))
add(".repeat", "lambda x: x.repeat(2, axis=1)", each((3, 2)), label="axis=1")
add(".repeat", "lambda x: x.repeat([3, 1, 0], 0)", each((3, 2)), label="array-positional")
add(".repeat", "lambda x: np.sum(x.repeat(3, axis=0) ** 3)", each((2, 2)), label="cube",
    order=2)

keyword_grid("np.tile", "lambda x: np.tile(x{kw})", [
    ("2", each((), (2,), (3, 2))),
    ("(2, 2)", each((2,), (3, 2))),
    ("(2, 1)", each((3, 2))),
    ("(1, 3)", each((3, 2))),
    ("(2, 1, 2)", each((3, 2), (2,))),
    ("(2,)", each((2, 3, 2))),
    ("1", each((3, 2))),
    ("reps=[3, 1]", each((2,))),
])
add("np.tile", "lambda x: np.sum(np.tile(x, (2, 3)) ** 3)", each((2,), (2, 2)), label="cube",
    order=2)

# ---- pad ------------------------------------------------------------------------------------

PAD = [
    ("1", each((3,), (3, 2), (2, 2, 2))),
    ("(1, 2)", each((3,), (3, 2))),
    ("((1, 0), (2, 1))", each((3, 2))),
    ("((2, 1),)", each((3, 2))),
    ("[[0, 1], [1, 1], [2, 0]]", each((2, 2, 2))),
    ("0", each((3, 2))),
    ("(2,)", each((3,))),
]
for widths, shapes in PAD:
    add("np.pad", f"lambda x: np.pad(x, {widths})", shapes, label=widths.replace(" ", ""))
add("np.pad", "lambda x: np.pad(x, ((1, 0), (2, 1)), mode='constant')", each((3, 2)),
    label="mode=constant")
for mode in ("'edge'", "mode='reflect'", "mode='symmetric'", "mode='wrap'"):
    for widths, shapes in [("1", each((3,), (2, 2, 2))), ("(1, 2)", each((3,))),
                           ("((1, 0), (2, 1))", each((3, 2))), ("((2, 1),)", each((3, 2)))]:
        keywords = f"{widths}, {mode}"
        add("np.pad", f"lambda x: np.pad(x, {keywords})", shapes,
            label=keywords.replace(" ", "").replace("'", ""))
add("np.pad", "lambda x: np.pad(x, 4, mode='reflect')", each((3,), (2, 3)), label="4-reflect-wide")
add("np.pad", "lambda x: np.pad(x, (3, 5), mode='wrap')", each((2,), (2, 3)), label="wrap-wide")
add("np.pad", "lambda x: np.pad(x, 3, mode='symmetric')", each((2,)), label="symmetric-wide")
add("np.pad", "lambda x: np.pad(x, 2, 'edge')", each((1,)), label="edge-single")
add("np.pad", "lambda x: np.pad(x, 1, constant_values=1.5)", each((3,), (3, 2)),
    label="constant_values=1.5")
add("np.pad", "lambda x: np.pad(x, (1, 2), constant_values=(-1.0, 2.0))", each((3, 2)),
    label="constant_values=pair")
add("np.pad", "lambda x, c: np.pad(x, ((1, 0), (2, 1)), constant_values=c)",
    [((3, 2), ()), ((3, 2), (2,)), ((3, 2), (2, 2)), ((3, 2), (1, 2))],
    label="constant_values-differentiated")
add("np.pad", "lambda x, c: np.pad(x, (1, 2), constant_values=c)",
    [((3,), ()), ((3,), (2,)), ((3,), (1, 2)), ((2, 2, 2), (3, 2))],
    label="constant_values-differentiated-pair")
add("np.pad", "lambda x, c: np.sum(np.pad(x, 1, constant_values=c) ** 3)",
    [((3, 2), ()), ((3,), (2,))], label="cube-constant_values", order=2)
for mode in ("constant", "edge", "reflect", "symmetric", "wrap"):
    add("np.pad", f"lambda x: np.sum(np.pad(x, (1, 2), mode='{mode}') ** 3)", each((3,), (2, 3)),
        label=f"cube-{mode}", order=2)

# ---- split, array_split, hsplit, vsplit, dsplit ---------------------------------------------

SPLIT = [
    ("np.split(x, 2)[1]", each((4,), (4, 2))),
    ("np.split(x, 3)[0]", each((3,), (3, 2))),
    ("np.split(x, [1, 3])[1]", each((4,), (5, 2))),
    ("np.split(x, [1, 3])[2]", each((5,))),
    ("np.split(x, [1])[0]", each((3,))),
    ("np.split(x, 2, axis=1)[0]", each((3, 2), (2, 4, 2))),
    ("np.split(x, [1], axis=-1)[1]", each((2, 3))),
    ("np.split(x, 2, 1)[1]", each((3, 4))),
    ("np.split(x, indices_or_sections=[2], axis=0)[0]", each((3, 2))),
]
for expression, shapes in SPLIT:
    add("np.split", f"lambda x: {expression}", shapes,
        label=expression[9:].replace(" ", "").replace("indices_or_sections=", "ios="))
add("np.split", "lambda x: np.split(x, 2)[0] * np.split(x, 2)[1]", each((4,), (4, 3)),
    label="both")
add("np.split", "lambda x: np.split(x, 3)[0] - np.split(x, 3)[2]", each((3, 2)), label="two")
add("np.split", "lambda x: np.sum(np.split(x, 2)[1] ** 3)", each((4,)), label="cube", order=2)
add("np.split", "lambda x: np.sum(np.split(x, [1, 2], axis=1)[2] ** 2 * x[:, :1])",
    each((2, 3)), label="product", order=2)

# Entries combined after the list is assigned, and unpacked.
add("np.split", function("x", "a = np.split(x, 2)", "return a[0] * a[1]"), each((4,), (2, 3)),
    label="assigned")
add("np.split", function("x", "a = np.split(x, [1, 3], axis=1)", "return a[0] * a[2] + a[1]"),
    each((2, 4)), label="assigned-list")
add("np.split", function("x", "a, b = np.split(x, 2)", "return a * b"), each((4,), (4, 2)),
    label="unpacked")
add("np.split", function("x", "a, b = np.split(x, 2, axis=1)", "return np.sum(a ** 2 * b)"),
    each((3, 2)), label="unpacked-sum", order=2)
add("np.array_split", function("x", "a, b, c = np.array_split(x, 3)", "return a[:1] * b + c"),
    each((5,)), label="unpacked")
add("np.array_split", function("x", "p = np.array_split(x, 3, axis=1)",
                               "return np.sum(p[0] * p[1] + p[2] ** 2)"),
    each((2, 3)), label="assigned-sum", order=2)
add("np.hsplit", function("x", "a, b = np.hsplit(x, 2)", "return a - 2.0 * b"), each((3, 2)),
    label="unpacked")

ARRAY_SPLIT = [
    ("np.array_split(x, 3)[1]", each((5,), (4, 2), (3,))),
    ("np.array_split(x, 2)[0]", each((5,))),
    ("np.array_split(x, 4)[3]", each((3,))),
    ("np.array_split(x, [1, 3])[1]", each((4,))),
    ("np.array_split(x, 2, axis=1)[1]", each((2, 3))),
    ("np.array_split(x, 3, -1)[2]", each((2, 4))),
]
for expression, shapes in ARRAY_SPLIT:
    add("np.array_split", f"lambda x: {expression}", shapes,
        label=expression[15:].replace(" ", ""))
add("np.array_split", "lambda x: np.sum(np.array_split(x, 3)[0] ** 3)", each((5,)),
    label="cube", order=2)

add("np.hsplit", "lambda x: np.hsplit(x, 2)[1]", each((4,), (3, 2), (2, 4, 2)))
add("np.hsplit", "lambda x: np.hsplit(x, [1])[0]", each((3, 3)), label="list")
add("np.vsplit", "lambda x: np.vsplit(x, 2)[0]", each((4, 2), (2, 3, 2)))
add("np.vsplit", "lambda x: np.vsplit(x, [1, 2])[2]", each((3, 2)), label="list")
add("np.dsplit", "lambda x: np.dsplit(x, 2)[1]", each((2, 1, 4)))
add("np.hsplit", "lambda x: np.sum(np.hsplit(x, 2)[0] ** 3)", each((3, 2)), label="cube",
    order=2)

# ---- diag, diagonal, triu, tril ------------------------------------------------------------

keyword_grid("np.diag", "lambda x: np.diag(x{kw})", [
    ("", each((3,), (3, 3), (3, 2), (2, 4), (1,))),
    ("1", each((3,), (3, 3), (2, 4))),
    ("k=-2", each((3,), (3, 3), (4, 2))),
    ("k=2", each((2,), (2, 4))),
    ("k=-1", each((3, 2))),
])
add("np.diag", "lambda x: np.sum(np.diag(x) ** 3)", each((3,), (3, 3)), label="cube", order=2)
add("np.diag", "lambda x: np.sum(np.diag(x, 1) ** 2 * x[0])", each((3,)), label="product",
    order=2)
add("np.diag", "lambda x: np.sum(np.diag(x, -1) ** 3)", each((3, 2)), label="cube-k=-1",
    order=2)

keyword_grid("np.diagonal", "lambda x: np.diagonal(x{kw})", [
    ("", each((3, 3), (3, 2), (2, 3), (2, 3, 2))),
    ("1", each((3, 3), (2, 4))),
    ("offset=-1", each((3, 3), (3, 2))),
    ("offset=3", each((3, 3))),
    ("axis1=1, axis2=2", each((2, 3, 3), (2, 3, 2))),
    ("0, 2, 0", each((3, 2, 4))),
    ("offset=-1, axis1=-1, axis2=0", each((3, 2, 3))),
])
add("np.diagonal", "lambda x: np.sum(np.diagonal(x) ** 3)", each((3, 3), (2, 3, 2)),
    label="cube", order=2)
add("np.diagonal", "lambda x: np.sum(np.diagonal(x, 1, 1, 2) ** 2 * x[0, 0, 0])",
    each((2, 3, 3)), label="product", order=2)
add(".diagonal", "lambda x: x.diagonal()", each((3, 3), (3, 2), (2, 3, 2)))
add(".diagonal", "lambda x: x.diagonal(1)", each((3, 3)), label="1")
add(".diagonal", "lambda x: x.diagonal(offset=-1, axis1=1, axis2=2)", each((2, 3, 3)),
    label="offset=-1,axis1=1,axis2=2")
add(".diagonal", "lambda x: np.sum(x.diagonal() ** 3)", each((3, 3)), label="cube", order=2)

for name in ("np.triu", "np.tril"):
    keyword_grid(name, f"lambda x: {name}(x{{kw}})", [
        ("", each((3, 3), (2, 3), (2, 3, 3), (3,))),
        ("1", each((3, 3), (3, 2))),
        ("k=-1", each((3, 3), (2, 3), (2, 3, 3))),
        ("k=2", each((3,), (3, 3))),
        ("k=-5", each((3, 3))),
    ])
    add(name, f"lambda x: np.sum({name}(x) ** 3)", each((3, 3), (3,)), label="cube", order=2)
    add(name, f"lambda x: np.sum({name}(x, -1) @ x)", each((3, 3)), label="product", order=2)

# ---- indexing: take, take_along_axis, subscripts with repeated indices ----------------------

keyword_grid("np.take", "lambda x: np.take(x{kw})", [
    ("[0, 2, 0]", each((3,), (3, 2))),
    ("[[0, 5], [1, 1]]", each((3, 2))),
    ("1", each((3,), (3, 2))),
    ("[-1, 0, -1]", each((3,))),
    ("[0, 2, 0], axis=0", each((3,), (3, 2))),
    ("[1, 1, 0], axis=1", each((3, 2), (2, 2, 3))),
    ("[[1, 0], [1, 1]], axis=-1", each((3, 2))),
    ("0, axis=1", each((3, 2))),
    ("[4, -5, 1], axis=0, mode='wrap'", each((3,), (3, 2))),
    ("[4, -5, 1], mode='clip'", each((3, 2))),
    ("[0, 2, 0], 0", each((3, 2))),
    ("np.argsort(x)", each((4,))),
])
for keywords, shapes in [("[0, 2, 0]", each((3,), (3, 2))), ("[1, 1], axis=1", each((3, 2))),
                         ("[2, 2], 0", each((3, 2))), ("[3, 0], mode='wrap'", each((3,)))]:
    add(".take", f"lambda x: x.take({keywords})", shapes,
        label=keywords.replace(" ", "").replace("'", ""))
add("np.take", "lambda x: np.sum(np.take(x, [0, 2, 0]) ** 3)", each((3,)), label="cube",
    order=2)
add("np.take", "lambda x: np.sum(np.take(x, [1, 1, 0], axis=1) ** 2 * x[0, 0])", each((2, 2)),
    label="product", order=2)
add(".take", "lambda x: np.sum(x.take([1, 1]) ** 3)", each((3,)), label="cube", order=2)

keyword_grid("np.take_along_axis", "lambda x: np.take_along_axis(x{kw})", [
    ("np.argsort(x, axis=0), axis=0", each((3, 2), (4,))),
    ("np.argsort(x, axis=1), axis=1", each((3, 2), (2, 3, 2))),
    ("np.argsort(x), -1", each((2, 3, 2))),
    ("np.argmax(x, axis=1, keepdims=True), axis=1", each((3, 2))),
    ("np.argsort(x, axis=0)[:1], axis=0", each((3, 2))),
    ("np.zeros((3, 4), dtype=int), axis=1", each((3, 2))),
    ("np.array([[0, 1, 1], [1, 0, 0]]), 0", each((2, 3))),
    ("np.array([2, 0, 2]), axis=None", each((3,), (2, 2))),
])
add("np.take_along_axis", "lambda x: np.sum(np.take_along_axis(x, np.argsort(x, axis=1), 1) "
    "* np.arange(6.0).reshape(2, 3) * x)", each((2, 3)), label="sorted-weighted", order=2)
add("np.take_along_axis", "lambda x: np.sum(np.take_along_axis(x, np.zeros((2, 2), dtype=int), "
    "axis=0) ** 3)", each((3, 2)), label="cube-repeated", order=2)

GETITEM = [
    ("x[[0, 2, 0]]", each((3,), (3, 2))),
    ("x[[1, 1]]", each((2,))),
    ("x[[0, 0], [1, 1]]", each((3, 2))),
    ("x[:, [1, 1, 0]]", each((3, 2))),
    ("x[[[0, 1], [1, 1]]]", each((3,))),
    ("x[np.array([2, 2, -1])]", each((3,))),
    ("x[[0, 2, 0], 1:]", each((3, 2))),
    ("x[..., [0, 0]]", each((2, 3, 2))),
]
for expression, shapes in GETITEM:
    add("operator.getitem", f"lambda x: {expression}", shapes,
        label="repeated-" + expression[1:].replace(" ", ""))
add("operator.getitem", "lambda x: np.sum(x[[0, 2, 0]] ** 3)", each((3,)), label="repeated-cube",
    order=2)
add("operator.getitem", "lambda x: np.sum(x[:, [1, 1, 0]] ** 2 * x[0, 1])", each((3, 2)),
    label="repeated-product", order=2)

