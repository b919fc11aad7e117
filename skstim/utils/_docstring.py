"""Docstrings that share text: parameter descriptions written once."""

__all__ = ["Substitution"]


class Substitution:
    """Decorate a function or class to fill the ``{name}`` fields of its docstring.

    Only the named fields are replaced; other braces in the docstring stay as they are.

    As ``imblearn.utils.Substitution``: the shared text is written once and every
    estimator that takes the parameter shows it in full.

    Examples
    --------
    >>> @Substitution(seed="random_state : int\\n    Seed.")
    ... def f():
    ...     '''Parameters
    ...     ----------
    ...     {seed}
    ...     '''
    >>> "random_state : int" in f.__doc__
    True
    """

    def __init__(self, **fields):
        self.fields = fields

    def __call__(self, obj):
        doc = obj.__doc__
        for name, text in self.fields.items():
            doc = doc.replace("{" + name + "}", text)
        obj.__doc__ = doc
        return obj
