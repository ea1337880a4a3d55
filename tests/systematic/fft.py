"""Systematic cases of the `numpy.fft` rules and of the complex-number functions (`np.real`,
`np.imag`, `np.conj`, `np.angle`, `.real`, `.imag`, `.conj()`, `complex`).

The checks compare real-valued functions of real arguments, so a transform's complex result is
read through `np.real` / `np.imag`, a fixed complex weight (`np.real(F * (0.6 - 0.8j))` reads a
different mix of every entry's real and imaginary parts) or the power spectrum `F * conj(F)`.
Complex arguments are built from two real ones (`x + 1j * y`): that is where `irfft` / `hfft`
ignore the imaginary part of frequency 0 and of the Nyquist frequency, so the grids run both even
and odd output lengths, with `n=` / `s=` padding and truncating.
"""

from __future__ import annotations

from typing import List

from systematic import NONZERO, PY, REAL, Case, Domain, grid, uniform

CASES: List[Case] = []

MIX = "np.real({} * (0.6 - 0.8j))"        # every entry's real and imaginary part, mixed
NORMS = ["None", "'backward'", "'ortho'", "'forward'"]
AWAY = Domain("away", uniform(0.4, 2.0))    # moduli kept away from 0 (np.angle)


def _label(keywords: str) -> str:
    """A test-id word for a keyword setting: "n=3, axis=0" -> "n3_axis0"."""
    for old, new in ((", ", "_"), ("=", ""), ("'", ""), ("(", ""), (")", ""), (",", "."),
                     (" ", ""), ("-", "m")):
        keywords = keywords.replace(old, new)
    return keywords


def _call(name: str, keywords: str, argument: str = "x") -> str:
    return f"np.fft.{name}({argument}{', ' + keywords if keywords else ''})"


def _add(target: str, expression: str, shapes, label: str = "", **options) -> None:
    CASES.extend(grid(target, expression, shapes, label=label, **options))


# ---- complex to complex, one axis: fft, ifft ------------------------------------------------

for name in ("fft", "ifft"):
    target = f"np.fft.{name}"
    for keywords, shapes in [
            ("", [[(4,)], [(5,)], [(3, 2)], [(2, 3, 2)]]),
            ("n=3", [[(5,)], [(2, 4)]]),              # truncate
            ("n=6", [[(4,)], [(3, 5)]]),              # pad
            ("n=7", [[(4,)]]),
            ("axis=0", [[(3, 2)], [(4,)]]),
            ("n=5, axis=0", [[(3, 2)]]),
            ("n=2, axis=-2", [[(3, 2)]]),
            ("axis=1", [[(2, 3, 2)]])]:
        _add(target, f"lambda x: {MIX.format(_call(name, keywords))}", shapes, _label(keywords))
    for norm in NORMS:
        _add(target, f"lambda x: {MIX.format(_call(name, f'norm={norm}'))}", [[(4,)], [(3, 2)]],
             _label(f"norm={norm}"))
        _add(target, f"lambda x: {MIX.format(_call(name, f'n=6, norm={norm}'))}", [[(5,)]],
             _label(f"n=6 norm={norm}"))
    _add(target, f"lambda x: np.real(np.fft.{name}(x))", [[(4,)], [(3, 2)]], "real")
    _add(target, f"lambda x: np.imag(np.fft.{name}(x))", [[(5,)], [(3, 2)]], "imag")
    _add(target, f"lambda x: np.real(np.fft.{name}(x, 6, 0, 'ortho') * (0.6 - 0.8j))",
         [[(4, 2)]], "positional")
    _add(target, f"lambda x, y: {MIX.format(_call(name, '', 'x + 1j * y'))}",
         [[(4,), (4,)], [(3, 2), (3, 2)]], "complex_input")
    _add(target, f"lambda x, y: {MIX.format(_call(name, 'n=3, axis=0', 'x + 1j * y'))}",
         [[(4, 2), (4, 2)]], "complex_input_n3_axis0")
    _add(target, f"lambda x: np.sum(np.real(np.fft.{name}(np.sin(x), n=6) ** 2 * (0.6 - 0.8j)))",
         [[(5,)]], "order2", order=2)
    _add(target, f"lambda x: np.sum(np.real(np.fft.{name}(x * x, axis=0) * (0.3 + 0.9j)))",
         [[(3, 2)]], "order2_axis0", order=2)

# power spectra, round trips, frequency weights (fftfreq: no derivative)
_add("np.fft.fft", "lambda x: np.real(np.fft.fft(x) * np.fft.fftfreq(4, 0.5) * 1j)", [[(4,)]],
     "fftfreq")
_add("np.fft.rfft", "lambda x: np.fft.irfft(np.fft.rfft(x) * np.fft.rfftfreq(5))", [[(5,)]],
     "rfftfreq")
_add("np.fft.fft", "lambda x: np.real(np.fft.fft(x) * np.conj(np.fft.fft(x)))", [[(4,)], [(5,)]],
     "power")
_add("np.fft.ifft", "lambda x: np.real(np.fft.ifft(np.fft.fft(x) * (1.0 + 2.0j)))",
     [[(4,)], [(3, 2)]], "roundtrip")
_add("np.fft.fft", "lambda x: np.real(np.fft.fft(x)) ** 2 + np.imag(np.fft.fft(x)) ** 2",
     [[(4,)], [(3, 2)]], "power_parts")

# ---- complex to complex, several axes: fft2, ifft2, fftn, ifftn ---------------------------------

for name in ("fft2", "ifft2"):
    target = f"np.fft.{name}"
    for keywords, shapes in [
            ("", [[(3, 4)], [(2, 3, 2)], [(1, 2)]]),
            ("s=(2, 5)", [[(3, 4)]]),             # truncate one axis, pad the other
            ("s=(4, 4)", [[(2, 3, 2)]]),
            ("axes=(1, 0)", [[(3, 4)]]),
            ("axes=(0, 2)", [[(2, 3, 2)]]),
            ("s=(3, 2), axes=(1, 0)", [[(3, 4)]]),
            ("norm='ortho'", [[(3, 4)]]),
            ("norm='forward'", [[(3, 4)]]),
            ("s=(4, 3), norm='forward'", [[(3, 4)]])]:
        _add(target, f"lambda x: {MIX.format(_call(name, keywords))}", shapes, _label(keywords))
    _add(target, f"lambda x: np.imag(np.fft.{name}(x))", [[(3, 4)]], "imag")
    _add(target, f"lambda x: np.real(np.fft.{name}(x, (4, 2), (0, 1), 'ortho') * (0.6 - 0.8j))",
         [[(3, 3)]], "positional")
    _add(target, f"lambda x, y: {MIX.format(_call(name, 's=(2, 4)', 'x + 1j * y'))}",
         [[(3, 3), (3, 3)]], "complex_input_s2.4")
    _add(target, f"lambda x: np.sum(np.real(np.fft.{name}(np.sin(x)) ** 2 * (0.6 - 0.8j)))",
         [[(3, 2)]], "order2", order=2)

for name in ("fftn", "ifftn"):
    target = f"np.fft.{name}"
    for keywords, shapes in [
            ("", [[(4,)], [(3, 4)], [(2, 3, 2)]]),
            ("axes=(0, 2)", [[(2, 3, 2)]]),
            ("axes=(1,)", [[(3, 4)]]),
            ("axes=(-1, 0)", [[(3, 4)]]),
            ("s=(2, 5), axes=(0, 1)", [[(3, 4)]]),
            ("s=(3, 1), axes=(2, 0)", [[(2, 3, 2)]]),
            ("s=(3, 4, 1), axes=(0, 1, 2)", [[(2, 3, 2)]]),
            ("norm='ortho'", [[(2, 3, 2)]]),
            ("norm='forward'", [[(3, 4)]]),
            ("s=(5,), axes=(0,), norm='ortho'", [[(3, 2)]])]:
        _add(target, f"lambda x: {MIX.format(_call(name, keywords))}", shapes, _label(keywords))
    _add(target, f"lambda x: np.real(np.fft.{name}(x, None, (1,), 'ortho') * (0.6 - 0.8j))",
         [[(3, 4)]], "positional")
    _add(target, f"lambda x, y: {MIX.format(_call(name, 'axes=(0, 1)', 'x + 1j * y'))}",
         [[(3, 2), (3, 2)]], "complex_input")
    _add(target, f"lambda x: np.sum(np.real(np.fft.{name}(x * x, axes=(0, 1)) * (0.6 - 0.8j)))",
         [[(2, 3)]], "order2", order=2)
    _add(target, f"lambda x: np.sum(np.real(np.fft.{name}(np.sin(x), s=(4, 2), axes=(0, 1)) ** 2"
         " * (0.6 - 0.8j)))", [[(3, 3)]], "order2_s4.2", order=2)

# ---- real input: rfft, rfft2, rfftn -----------------------------------------------------------

for keywords, shapes in [
        ("", [[(4,)], [(5,)], [(3, 4)], [(3, 5)], [(2, 3, 2)], [(1,)]]),
        ("n=4", [[(5,)], [(3, 6)]]),               # truncate to an even length
        ("n=5", [[(7,)], [(4,)]]),                 # truncate to odd / pad to odd
        ("n=6", [[(4,)], [(3, 5)]]),               # pad to even
        ("n=3", [[(6,)]]),
        ("n=1", [[(3,)]]),
        ("axis=0", [[(4, 3)], [(5, 2)]]),
        ("n=7, axis=0", [[(4, 3)]]),
        ("axis=1", [[(2, 5, 2)]])]:
    _add("np.fft.rfft", f"lambda x: {MIX.format(_call('rfft', keywords))}", shapes,
         _label(keywords))
for norm in NORMS:
    _add("np.fft.rfft", f"lambda x: {MIX.format(_call('rfft', f'norm={norm}'))}",
         [[(4,)], [(5,)]], _label(f"norm={norm}"))
    _add("np.fft.rfft", f"lambda x: {MIX.format(_call('rfft', f'n=7, norm={norm}'))}",
         [[(4,)]], _label(f"n=7 norm={norm}"))
_add("np.fft.rfft", "lambda x: np.real(np.fft.rfft(x) * np.conj(np.fft.rfft(x)))",
     [[(4,)], [(5,)], [(3, 4)]], "power")
_add("np.fft.rfft", "lambda x: np.real(np.fft.rfft(x, 6, 0, 'ortho') * (0.6 - 0.8j))",
     [[(4, 2)]], "positional")
_add("np.fft.rfft", "lambda x: np.imag(np.fft.rfft(x, n=6))", [[(5,)]], "imag_n6")
_add("np.fft.rfft", "lambda x: np.sum(np.real(np.fft.rfft(np.sin(x), n=5) ** 2 * (0.6 - 0.8j)))",
     [[(4,)], [(6,)]], "order2", order=2)

for name, keyword_grid in [
        ("rfft2", [("", [[(3, 4)], [(3, 5)], [(2, 3, 2)]]),
                   ("s=(2, 5)", [[(3, 4)]]),
                   ("s=(4, 4)", [[(3, 5)]]),
                   ("axes=(1, 0)", [[(3, 4)]]),
                   ("s=(3, 3), axes=(1, 0)", [[(4, 2)]]),
                   ("norm='ortho'", [[(3, 4)]]),
                   ("norm='forward'", [[(3, 5)]])]),
        ("rfftn", [("", [[(4,)], [(3, 4)], [(2, 3, 3)]]),
                   ("axes=(0, 2)", [[(2, 3, 4)]]),
                   ("axes=(1, 0)", [[(3, 4)]]),
                   ("s=(2, 6), axes=(0, 1)", [[(3, 4)]]),
                   ("s=(3, 3), axes=(2, 0)", [[(2, 3, 4)]]),
                   ("s=(5,), axes=(0,)", [[(3, 2)]]),
                   ("norm='ortho'", [[(3, 4)]]),
                   ("norm='forward'", [[(2, 3, 3)]])])]:
    target = f"np.fft.{name}"
    for keywords, shapes in keyword_grid:
        _add(target, f"lambda x: {MIX.format(_call(name, keywords))}", shapes, _label(keywords))
    _add(target, f"lambda x: np.real(np.fft.{name}(x) * np.conj(np.fft.{name}(x)))",
         [[(3, 4)]], "power")
    _add(target, f"lambda x: np.sum(np.real(np.fft.{name}(np.sin(x)) ** 2 * (0.6 - 0.8j)))",
         [[(3, 4)]], "order2", order=2)

# ---- real output: irfft, irfft2, irfftn, hfft ---------------------------------------------------
# (x + 1j * y: the imaginary parts of frequency 0 and of the Nyquist frequency are ignored)

for name in ("irfft", "hfft"):
    target = f"np.fft.{name}"
    for keywords, shapes in [
            ("", [[(3,), (3,)], [(4,), (4,)], [(3, 4), (3, 4)], [(2,), (2,)]]),
            ("n=4", [[(3,), (3,)], [(5,), (5,)]]),      # even; exact / truncating
            ("n=5", [[(3,), (3,)], [(4,), (4,)]]),      # odd
            ("n=8", [[(3,), (3,)]]),                    # even, padding
            ("n=7", [[(2, 3), (2, 3)]]),                # odd, padding
            ("n=2", [[(4,), (4,)]]),
            ("axis=0", [[(3, 2), (3, 2)]]),
            ("n=5, axis=0", [[(4, 3), (4, 3)]]),
            ("n=4, axis=-2", [[(2, 3, 2), (2, 3, 2)]])]:
        _add(target, f"lambda x, y: {_call(name, keywords, 'x + 1j * y')}", shapes,
             _label(keywords))
    for norm in NORMS:
        _add(target, f"lambda x, y: {_call(name, f'norm={norm}', 'x + 1j * y')}",
             [[(4,), (4,)]], _label(f"norm={norm}"))
        _add(target, f"lambda x, y: {_call(name, f'n=5, norm={norm}', 'x + 1j * y')}",
             [[(4,), (4,)]], _label(f"n=5 norm={norm}"))
    _add(target, f"lambda x: np.fft.{name}(x)", [[(4,)], [(3, 3)]], "real_input")
    _add(target, f"lambda x: np.fft.{name}(x, n=5)", [[(3,)]], "real_input_n5")
    _add(target, f"lambda x, y: np.fft.{name}(x + 1j * y, 6, 0, 'ortho')",
         [[(3, 2), (3, 2)]], "positional")
    _add(target, f"lambda x, y: np.sum(np.fft.{name}(x + 1j * y, n=5) ** 3)",
         [[(3,), (3,)]], "order2_n5", order=2)
    _add(target, f"lambda x, y: np.sum(np.fft.{name}(x + 1j * y) ** 3)",
         [[(4,), (4,)]], "order2", order=2)

_add("np.fft.irfft", "lambda x: np.fft.irfft(np.fft.rfft(x) * (1.0 + 0.5j))",
     [[(4,)], [(5,)]], "roundtrip")
_add("np.fft.irfft", "lambda x: np.fft.irfft(np.fft.rfft(x) * (1.0 + 0.5j), n=5)",
     [[(5,)]], "roundtrip_n5")
_add("np.fft.irfft", "lambda x, w: np.fft.irfft(np.fft.rfft(x) * w)",
     [[(4,), (3,)], [(6,), (4,)]], "filter")
_add("np.fft.irfft", "lambda x, w: np.fft.irfft(np.fft.rfft(x, axis=0) * w, 5, 0)",
     [[(5, 2), (3, 1)]], "filter_axis0")

for name, keyword_grid in [
        ("irfft2", [("", [[(3, 3), (3, 3)], [(2, 4), (2, 4)], [(2, 3, 2), (2, 3, 2)]]),
                    ("s=(3, 5)", [[(3, 3), (3, 3)]]),
                    ("s=(2, 4)", [[(3, 3), (3, 3)]]),
                    ("s=(4, 2)", [[(2, 4), (2, 4)]]),
                    ("axes=(1, 0)", [[(3, 4), (3, 4)]]),
                    ("s=(3, 4), axes=(1, 0)", [[(3, 3), (3, 3)]]),
                    ("norm='ortho'", [[(3, 3), (3, 3)]]),
                    ("norm='forward'", [[(3, 3), (3, 3)]])]),
        ("irfftn", [("", [[(3,), (3,)], [(3, 3), (3, 3)], [(2, 3, 3), (2, 3, 3)]]),
                    ("axes=(0, 2)", [[(2, 3, 3), (2, 3, 3)]]),
                    ("axes=(1, 0)", [[(3, 4), (3, 4)]]),
                    ("s=(2, 5), axes=(0, 1)", [[(3, 3), (3, 3)]]),
                    ("s=(3, 4), axes=(2, 0)", [[(2, 3, 2), (2, 3, 2)]]),
                    ("s=(6,), axes=(0,)", [[(3, 2), (3, 2)]]),
                    ("norm='ortho'", [[(3, 3), (3, 3)]]),
                    ("norm='forward'", [[(2, 3, 2), (2, 3, 2)]])])]:
    target = f"np.fft.{name}"
    for keywords, shapes in keyword_grid:
        _add(target, f"lambda x, y: {_call(name, keywords, 'x + 1j * y')}", shapes,
             _label(keywords))
    _add(target, f"lambda x: np.fft.{name}(x)", [[(3, 3)]], "real_input")
    _add(target, f"lambda x: np.fft.{name}(np.fft.rfftn(x, axes=(0, 1)) * (1.0 - 0.5j))",
         [[(3, 4)]], "roundtrip")
    _add(target, f"lambda x, y: np.sum(np.fft.{name}(x + 1j * y) ** 3)",
         [[(2, 3), (2, 3)]], "order2", order=2)

# ---- Hermitian input from a real signal: ihfft ------------------------------------------------

for keywords, shapes in [
        ("", [[(4,)], [(5,)], [(3, 4)]]),
        ("n=4", [[(5,)]]),
        ("n=5", [[(4,)]]),
        ("n=6", [[(4,)]]),
        ("axis=0", [[(4, 3)]]),
        ("n=3, axis=0", [[(4, 3)]])]:
    _add("np.fft.ihfft", f"lambda x: {MIX.format(_call('ihfft', keywords))}", shapes,
         _label(keywords))
for norm in NORMS:
    _add("np.fft.ihfft", f"lambda x: {MIX.format(_call('ihfft', f'n=5, norm={norm}'))}",
         [[(4,)]], _label(f"n=5 norm={norm}"))
_add("np.fft.ihfft", "lambda x: np.imag(np.fft.ihfft(x, 6, 0, 'ortho'))", [[(4, 2)]],
     "positional")
_add("np.fft.ihfft", "lambda x: np.fft.hfft(np.fft.ihfft(x) * (1.0 + 0.5j))", [[(4,)], [(5,)]],
     "roundtrip")
_add("np.fft.ihfft", "lambda x: np.sum(np.real(np.fft.ihfft(np.sin(x)) ** 2 * (0.6 - 0.8j)))",
     [[(5,)]], "order2", order=2)

# ---- shifts -------------------------------------------------------------------------------------

for name in ("fftshift", "ifftshift"):
    target = f"np.fft.{name}"
    for keywords, shapes in [
            ("", [[(4,)], [(5,)], [(3, 4)]]),
            ("axes=0", [[(3, 4)]]),
            ("axes=(1,)", [[(3, 5)]]),
            ("axes=(-1, 0)", [[(3, 4)]])]:
        _add(target, f"lambda x: {_call(name, keywords)}", shapes, _label(keywords))
    _add(target, f"lambda x: {MIX.format(f'np.fft.{name}(np.fft.fft(x))')}", [[(5,)]],
         "complex")
    _add(target, f"lambda x: np.sum(np.fft.{name}(x * x, 0) * np.arange(5.0))", [[(5,)]],
         "order2", order=2)

# ---- complex numbers ----------------------------------------------------------------------------

Z = "(x + 1j * y)"
for target, template, label in [
        ("np.real", "np.real({z} * {z})", ""),
        ("attribute:real", "({z} * {z}).real", ""),
        ("np.imag", "np.imag({z} * {z})", ""),
        ("attribute:imag", "({z} * {z}).imag", ""),
        ("np.conj", "np.real(np.conj({z}) * (0.6 - 0.8j) * {z} * {z})", ""),
        ("np.conjugate", "np.imag(np.conjugate({z} * {z}) * (0.6 - 0.8j))", ""),
        (".conj", "np.real({z}.conj() * (0.6 - 0.8j) * {z} * {z})", ""),
        (".conjugate", "np.imag(({z} * {z}).conjugate() * (0.6 - 0.8j))", ""),
        ("np.angle", "np.angle({z} * (0.6 - 0.8j))", ""),
        ("np.angle", "np.angle({z}, deg=True)", "deg"),
        ("np.angle", "np.angle({z}, True)", "deg_positional")]:
    _add(target, f"lambda x, y: {template.format(z=Z)}",
         [[(3,), (3,)], [(3, 2), (2,)], [(1, 2), (3, 1)]], label,
         domains=(NONZERO, NONZERO) if target == "np.angle" else (REAL, REAL))
    _add(target, f"lambda x, y: np.sum({template.format(z=Z)} ** 2)", [[(3,), (3,)]],
         f"{label}_order2" if label else "order2", order=2,
         domains=(AWAY, AWAY) if target == "np.angle" else (REAL, REAL))

# real arguments: np.real is the identity, np.imag and np.angle are constant (away from 0)
_add("np.real", "lambda x: np.real(x) * x", [[(3,)], [PY]], "real_argument")
_add("np.imag", "lambda x: np.imag(x) + x", [[(3,)]], "real_argument")
_add("np.angle", "lambda x: np.angle(x) + x", [[(3,)]], "real_argument", domains=(NONZERO,))
_add("np.conj", "lambda x: np.conj(x) * x", [[(3,)]], "real_argument")
# a real value becomes complex: the adjoint keeps its real part
_add("np.real", "lambda x: np.real(x * (0.5 + 2.0j) * (1.0 - 1.0j))", [[(3,)], [(3, 2)]],
     "through_complex")
_add("complex", "lambda a, b: np.real(complex(a, b) * (0.6 - 0.8j))", [[PY, PY], [(), ()]])
_add("complex", "lambda a, b: np.imag(complex(a, 2.0) ** 3) + np.real(complex(b) ** 2)",
     [[PY, PY]], "one_part")
_add("complex", "lambda a, b: np.imag(complex(a, b) ** 3)", [[PY, PY]], "order2", order=2)
