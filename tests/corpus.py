"""The harness shared by the corpus tests (tests/test_*_corpus.py): finite differences, control
paths, and one check per corpus test. A corpus is a module of small programs in tests/programs/
and a table CASES of (program, [input sets], wrt); wrt is an argument position, a tuple of
positions, or None for every float argument (the default of sg.check_grads).

The checks, for every (program, input set):

* `check_grads` runs s2sgrad's own dot-product test against central differences;
* `check_gradient_matches_central_differences` compares `sg.grad` (or, for programs returning
  arrays, `sg.vjp`) with an element-wise central-difference gradient computed here, in float64;
* `check_primal_value_is_unchanged` checks that `value_and_grad` (or `vjp`) returns exactly what
  calling the function returns, and that differentiating does not modify the arguments.

The inputs are hand-picked away from the points where a branch switches or a trip count changes,
so that the finite differences stay on one control-flow path. Two checks that do not involve
s2sgrad guard that choice:

* `check_inputs_are_away_from_control_flow_switches` records the bytecode executed by the program
  at each input and at the input moved by +-1e-4 along every coordinate (and along random
  directions) and requires the same path; it also requires the error of central differences to
  shrink like step**2 between steps 1e-4 and 5e-5 (it does not across a kink such as abs(x) at 0);
* `check_input_sets_exercise_different_paths` requires each program's input sets to take at least
  two different control-flow paths and, together, to run every line of the program.
"""

import copy
import dis
import inspect
import sys

import numpy as np
import pytest

import s2sgrad as sg


# ---- helpers -----------------------------------------------------------------------------------


def _is_float(value):
    if isinstance(value, (bool, np.bool_)):
        return False
    return isinstance(value, (float, np.floating)) or (
        isinstance(value, np.ndarray) and value.dtype.kind == "f")


def wrt_positions(args, wrt):
    """The differentiated argument positions: `wrt`, or every float argument when it is None."""
    if wrt is None:
        return tuple(i for i, a in enumerate(args) if _is_float(a))
    return (wrt,) if isinstance(wrt, int) else tuple(wrt)


def moved(args, i, index, step):
    """`args` with element `index` of argument i moved by `step` (types kept: float stays float)."""
    out = list(args)
    if isinstance(args[i], float):
        out[i] = args[i] + step
    else:
        a = np.array(args[i], dtype=np.float64)
        a[index] += step
        out[i] = a
    return out


def central_difference_gradient(f, args, i, eps=1e-6, cotangent=None):
    """Element-wise central difference of f (of <cotangent, f> for array outputs) w.r.t. arg i."""
    def scalar(value):
        if cotangent is None:
            return float(value)
        return float(np.sum(cotangent * np.asarray(value, dtype=np.float64)))

    x = np.asarray(args[i], dtype=np.float64)
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        grad[index] = (scalar(f(*moved(args, i, index, eps)))
                       - scalar(f(*moved(args, i, index, -eps)))) / (2 * eps)
    return grad


def fresh(args):
    return copy.deepcopy(list(args))


def returns_scalar(f, args):
    return np.ndim(f(*fresh(args))) == 0


def cotangent_for(value):
    return np.random.default_rng(7).standard_normal(np.shape(value))


def control_path(f, args):
    """The bytecode offsets executed in f's own frame: equal lists mean the same control path."""
    code = f.__code__
    offsets = []
    if hasattr(sys, "monitoring"):
        # Python 3.12+: sys.settrace misses the opcode events of a code object's first call.
        monitoring = sys.monitoring
        tool = next(t for t in (4, 3, 0, 1, 2, 5) if monitoring.get_tool(t) is None)
        monitoring.use_tool_id(tool, "control_path")
        try:
            monitoring.register_callback(tool, monitoring.events.INSTRUCTION,
                                         lambda _code, offset: offsets.append(offset))
            monitoring.set_local_events(tool, code, monitoring.events.INSTRUCTION)
            f(*fresh(args))
        finally:
            monitoring.set_local_events(tool, code, 0)
            monitoring.register_callback(tool, monitoring.events.INSTRUCTION, None)
            monitoring.free_tool_id(tool)
        return offsets

    def record_opcode(frame, event, arg):
        if event == "opcode":
            offsets.append(frame.f_lasti)

    _run_traced(f, args, record_opcode, opcodes=True)
    return offsets


def lines_run(f, args):
    """The source lines executed in f's own frame."""
    lines = set()

    def record_line(frame, event, arg):
        if event == "line":
            lines.add(frame.f_lineno)

    _run_traced(f, args, record_line, opcodes=False)
    return lines


def _run_traced(f, args, record, opcodes):
    """Call f with `record(frame, event, arg)` tracing f's own frame (lines or opcodes)."""
    code = f.__code__

    def local_trace(frame, event, arg):
        record(frame, event, arg)
        return local_trace

    def global_trace(frame, event, arg):
        if frame.f_code is not code:
            return None
        if opcodes:
            frame.f_trace_opcodes = True
            frame.f_trace_lines = False
        return local_trace

    previous = sys.gettrace()
    sys.settrace(global_trace)
    try:
        f(*fresh(args))
    finally:
        sys.settrace(previous)


def case_params(cases):
    """One pytest parameter per (program, input set)."""
    params = []
    for fn, input_sets, wrt in cases:
        for k, args in enumerate(input_sets):
            params.append(pytest.param(fn, args, wrt, id=f"{fn.__name__}-{k}"))
    return params


def program_params(cases):
    """One pytest parameter per program."""
    return [pytest.param(fn, input_sets, wrt, id=fn.__name__) for fn, input_sets, wrt in cases]


# ---- the checks, one per test of a corpus -------------------------------------------------------------------------


def check_lists_every_program_once(module, cases, at_least):
    programs = [f for _, f in inspect.getmembers(module, inspect.isfunction)
                if f.__module__ == module.__name__ and not f.__name__.startswith("_")]
    listed = [fn for fn, _, _ in cases]
    assert len(programs) >= at_least
    assert len(listed) == len(set(listed)), "a program is listed twice in CASES"
    assert set(listed) == set(programs), f"CASES and {module.__name__} disagree"
    for fn, input_sets, _ in cases:
        assert len(input_sets) >= 2, f"{fn.__name__} needs several input sets"


def check_input_sets_exercise_different_paths(fn, input_sets, wrt, distinct_paths=True):
    if distinct_paths:
        paths = {tuple(control_path(fn, args)) for args in input_sets}
        assert len(paths) >= 2, f"every input set of {fn.__name__} takes the same control path"
    # Together, the input sets run every line of the program (every branch and loop body).
    lines = {line for _, line in dis.findlinestarts(fn.__code__)
             if line is not None and line > fn.__code__.co_firstlineno}
    run = set()
    for args in input_sets:
        run |= lines_run(fn, args)
    source, first = inspect.getsourcelines(fn)
    missing = [source[line - first].strip() for line in sorted(lines - run)
               if source[line - first].strip() not in ("", "else:")]
    assert not missing, f"no input set of {fn.__name__} runs {missing}"


def check_inputs_are_away_from_control_flow_switches(fn, args, wrt):
    """Moving the inputs by 1e-4 keeps the control path, and f is smooth there (no kink)."""
    value = fn(*fresh(args))
    assert np.all(np.isfinite(value))
    positions = wrt_positions(args, wrt)
    assert positions, "nothing to differentiate"
    path = control_path(fn, args)
    step = 1e-4
    for i in positions:
        for index in np.ndindex(np.shape(args[i])):
            for sign in (1.0, -1.0):
                assert control_path(fn, moved(args, i, index, sign * step)) == path, (
                    f"moving argument {i}{list(index)} by {sign * step:+g} changes the path")
    rng = np.random.default_rng(3)
    for _ in range(4):
        out = list(args)
        for i in positions:
            direction = step * rng.standard_normal(np.shape(args[i]))
            out[i] = args[i] + (float(direction) if isinstance(args[i], float) else direction)
        assert control_path(fn, out) == path, "a random move by ~1e-4 changes the path"
    cotangent = None if np.ndim(value) == 0 else cotangent_for(value)
    for i in positions:
        fine = central_difference_gradient(fn, args, i, 1e-6, cotangent)
        coarse = central_difference_gradient(fn, args, i, 1e-4, cotangent)
        middle = central_difference_gradient(fn, args, i, 5e-5, cotangent)
        # Where f is smooth the error of a central difference shrinks like step**2 (by 4 from
        # step 1e-4 to 5e-5); across a kink it does not.
        error_coarse = np.abs(coarse - fine)
        error_middle = np.abs(middle - fine)
        tolerance = 1e-5 + 1e-4 * np.abs(fine)
        ratio = error_coarse / np.maximum(error_middle, 1e-300)
        smooth = (error_coarse <= tolerance) | ((ratio > 3.0) & (ratio < 5.0))
        assert np.all(smooth), f"f is not smooth near argument {i}: {coarse} {middle} {fine}"


# ---- the derivatives ---------------------------------------------------------------------------


def check_grads(fn, args, wrt):
    sg.check_grads(fn, fresh(args), wrt=list(wrt_positions(args, wrt)))


def check_gradient_matches_central_differences(fn, args, wrt):
    positions = wrt_positions(args, wrt)
    call_args = fresh(args)
    if returns_scalar(fn, args):
        grad_wrt = wrt if isinstance(wrt, int) else positions
        grads = sg.grad(fn, wrt=grad_wrt)(*call_args)
        if isinstance(grad_wrt, int):
            grads = (grads,)
        assert isinstance(grads, tuple) and len(grads) == len(positions)
        cotangent = None
    else:
        assert all(_is_float(a) for a in args), "array-valued programs take float arguments only"
        value, vjp_fn = sg.vjp(fn, *call_args)
        cotangent = cotangent_for(value)
        every = vjp_fn(cotangent)
        grads = tuple(every[i] for i in positions)
    for i, g in zip(positions, grads):
        assert np.shape(g) == np.shape(args[i])
        if isinstance(args[i], float):
            assert isinstance(g, float)
        expected = central_difference_gradient(fn, args, i, 1e-6, cotangent)
        np.testing.assert_allclose(g, expected, rtol=1e-5, atol=1e-5,
                                   err_msg=f"gradient w.r.t. argument {i}")


def check_vjp_function_serves_many_backward_passes(fn, args, wrt):
    """`vjp_fn` of one forward pass, called three times (as the rows of a reverse-mode Jacobian
    are), gives each cotangent's product: no backward pass sees what an earlier one popped or
    wrote back into the records."""
    if not all(_is_float(a) for a in args):
        pytest.skip("sg.vjp differentiates every argument: checked where all are floats")
    value, vjp_fn = sg.vjp(fn, *fresh(args))
    cotangent = cotangent_for(value)
    first = vjp_fn(cotangent)
    for scale in (-0.5, 2.0):
        again = vjp_fn(cotangent * scale)
        for i in range(len(args)):
            np.testing.assert_allclose(again[i], np.multiply(first[i], scale), rtol=1e-10,
                                       atol=1e-12, err_msg=f"backward pass at scale {scale}")


def check_primal_value_is_unchanged(fn, args, wrt):
    expected = fn(*fresh(args))
    call_args = fresh(args)
    if np.ndim(expected) == 0:
        positions = wrt_positions(args, wrt)
        value, _ = sg.value_and_grad(fn, wrt=wrt if isinstance(wrt, int) else positions)(
            *call_args)
    else:
        value, _ = sg.vjp(fn, *call_args)
    assert np.shape(value) == np.shape(expected)
    np.testing.assert_allclose(value, expected, rtol=1e-12, atol=0)
    for before, after in zip(args, call_args):
        if isinstance(before, np.ndarray):
            np.testing.assert_array_equal(after, before, err_msg="an argument was modified")


def _contracted(fn, weights, arity):
    """`sum(weights * fn(...))`, a scalar program whose derivatives are fn's contracted with
    fixed weights (s2sgrad differentiates it like any function: `fn` and `weights` are
    values it closes over)."""
    if arity == 1:
        def weighted(a):
            return np.sum(fn(a) * weights)
    elif arity == 2:
        def weighted(a, b):
            return np.sum(fn(a, b) * weights)
    else:
        def weighted(a, b, c):
            return np.sum(fn(a, b, c) * weights)
    return weighted


def scalar_program(fn, args):
    """`fn` if it returns a scalar; for a program returning an array, `fn` contracted with
    random weights shaped like its output (its second and third derivatives are checked so);
    None for other outputs."""
    value = fn(*fresh(args))
    if np.ndim(value) == 0:
        return fn
    if not isinstance(value, np.ndarray) or not 1 <= len(args) <= 3:
        return None
    return _contracted(fn, cotangent_for(value), len(args))


def check_second_derivatives(fn, args, wrt, refused_because=None):
    """Reverse-over-reverse, forward-over-reverse, reverse-over-forward and forward-over-forward
    agree with each other and with central differences of the gradient (of the program, or of
    the program contracted with fixed weights where it returns an array); for a program listed
    as first-order only, s2sgrad refuses with its own located error."""
    program = scalar_program(fn, args)
    if program is None:
        pytest.skip("second derivatives are checked on programs returning scalars or arrays")
    fn = program
    positions = list(wrt_positions(args, wrt))
    if refused_because is not None:
        with pytest.raises(sg.S2sgradError) as refusal:
            sg.check_grads(fn, fresh(args), wrt=positions, order=2)
        assert not isinstance(refusal.value, sg.GradientCheckError)
        assert refused_because in str(refusal.value)
        return
    sg.check_grads(fn, fresh(args), wrt=positions, order=2)


# ---- the tests of a corpus ------------------------------------------------------------------------


def corpus_tests(module, cases, at_least, single_path=frozenset(), first_order_only=None,
                 second_order_only=None):
    """The tests of one corpus, for its test module to adopt: `globals().update(corpus_tests(...))`.

    `single_path`: programs that take one control path whatever the input (no branch and a fixed
    trip count); the others must take at least two across their input sets.
    `first_order_only`: {program: why} for programs whose second derivatives s2sgrad refuses
    (with a located error, which the test requires); every other program returning a scalar has
    its second derivatives checked by all four compositions of the modes, and its third
    derivatives by four compositions too (see `s2sgrad.gradcheck`).
    `second_order_only`: {program: why} for programs whose third derivatives s2sgrad refuses
    (again with a located error, which the test requires).
    """
    first_order_only = first_order_only or {}
    second_order_only = second_order_only or {}
    case_parameters = case_params(cases)
    program_parameters = program_params(cases)

    def test_corpus_lists_every_program_once_with_several_inputs():
        check_lists_every_program_once(module, cases, at_least)

    @pytest.mark.parametrize("fn, input_sets, wrt", program_parameters)
    def test_input_sets_exercise_different_paths(fn, input_sets, wrt):
        check_input_sets_exercise_different_paths(fn, input_sets, wrt,
                                                  distinct_paths=fn not in single_path)

    @pytest.mark.parametrize("fn, args, wrt", case_parameters)
    def test_inputs_are_away_from_control_flow_switches(fn, args, wrt):
        check_inputs_are_away_from_control_flow_switches(fn, args, wrt)

    @pytest.mark.parametrize("fn, args, wrt", case_parameters)
    def test_check_grads(fn, args, wrt):
        check_grads(fn, args, wrt)

    @pytest.mark.parametrize("fn, args, wrt", case_parameters)
    def test_gradient_matches_central_differences(fn, args, wrt):
        check_gradient_matches_central_differences(fn, args, wrt)

    @pytest.mark.parametrize("fn, args, wrt", case_parameters)
    def test_vjp_function_serves_many_backward_passes(fn, args, wrt):
        check_vjp_function_serves_many_backward_passes(fn, args, wrt)

    @pytest.mark.parametrize("fn, args, wrt", case_parameters)
    def test_primal_value_is_unchanged(fn, args, wrt):
        check_primal_value_is_unchanged(fn, args, wrt)

    @pytest.mark.parametrize("fn, args, wrt", case_parameters)
    def test_second_derivatives_by_every_composition(fn, args, wrt):
        check_second_derivatives(fn, args, wrt, first_order_only.get(fn))

    @pytest.mark.parametrize("fn, input_sets, wrt", program_parameters)
    def test_third_derivatives_by_every_composition(fn, input_sets, wrt):
        """(on each program's first input set: a third derivative costs 4 generations)"""
        args = input_sets[0]
        program = scalar_program(fn, args)
        if fn in first_order_only or program is None:
            pytest.skip("third derivatives are checked where second derivatives are")
        positions = list(wrt_positions(args, wrt))
        if fn in second_order_only:
            with pytest.raises(sg.S2sgradError) as refusal:
                sg.check_grads(program, fresh(args), wrt=positions, order=3)
            assert not isinstance(refusal.value, sg.GradientCheckError)
            assert second_order_only[fn] in str(refusal.value)
            return
        sg.check_grads(program, fresh(args), wrt=positions, order=3)

    return {name: value for name, value in locals().items() if name.startswith("test_")}
