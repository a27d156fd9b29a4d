"""Text for next-character models: the shipped novel, its characters as indices, windows of it,
and the bigram baseline a model has to beat.

The text is split by position, not at random: the first 90 % trains, the last 10 % tests, so
no test character was seen in a training window (a random split of overlapping windows would
leak the test text into training).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np

SHIPPED_TEXTS = {
    "persuasion": "Jane Austen, Persuasion (1818), chapters 1-8; public domain; from Debian's "
                  "r-cran-janeaustenr 1.0.0-1 (graphviz_nn/assets/text/PROVENANCE.md)",
}


def read_text(name: str = "persuasion") -> str:
    """The shipped text ``name`` (graphviz_nn/assets/text/<name>.txt), newlines as "\\n".

    Raises
    ------
    ValueError
        A name that is not one of :data:`SHIPPED_TEXTS`.
    """
    if name not in SHIPPED_TEXTS:
        raise ValueError(f"no shipped text {name!r}; choose one of {', '.join(SHIPPED_TEXTS)}")
    return (resources.files("graphviz_nn.assets") / "text" / f"{name}.txt").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Vocabulary:
    """The characters a model knows, each coded by its position in ``characters``.

    Attributes
    ----------
    characters : str
        Distinct characters in code order (:meth:`of` sorts them by code point).
    """

    characters: str

    def __post_init__(self) -> None:
        if not self.characters or len(set(self.characters)) != len(self.characters):
            raise ValueError(f"a vocabulary needs one or more distinct characters, got {self.characters!r}")

    @classmethod
    def of(cls, text: str) -> Vocabulary:
        """The distinct characters of ``text``, sorted by code point."""
        return cls("".join(sorted(set(text))))

    def __len__(self) -> int:
        return len(self.characters)

    def _points(self) -> np.ndarray:
        return np.frombuffer(self.characters.encode("utf-32-le"), dtype="<u4")

    def encode(self, text: str) -> np.ndarray:
        """The codes of ``text``'s characters, an int64 array of its length.

        Raises
        ------
        ValueError
            A character outside the vocabulary, named with its position.
        """
        points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
        order = np.argsort(self._points(), kind="stable")
        known = self._points()[order]
        where = np.minimum(np.searchsorted(known, points), len(known) - 1)
        missing = np.flatnonzero(known[where] != points)
        if missing.size:
            at = int(missing[0])
            raise ValueError(f"character {text[at]!r} (U+{ord(text[at]):04X}) at position {at} is not in the "
                             f"vocabulary of {len(self)} characters; keep to the characters of the text it was "
                             "made from")
        return order[where].astype(np.int64)

    def decode(self, codes: np.ndarray | list[int]) -> str:
        """The characters of ``codes`` as a string.

        Raises
        ------
        ValueError
            A code that is not a whole number from 0 to ``len(self)`` − 1.
        """
        values = np.asarray(codes).ravel()
        if values.size and (values.dtype.kind not in "iu" or values.min() < 0 or values.max() >= len(self)):
            raise ValueError(f"codes must be whole numbers from 0 to {len(self) - 1}, got "
                             f"{values.min()}..{values.max()} ({values.dtype})")
        # By the string's own indexing: a numpy array of characters drops a trailing "\0".
        return "".join(map(self.characters.__getitem__, values.tolist()))


@dataclass(frozen=True, eq=False)
class CharText:
    """A text as character codes, split by position into a train part and a test part.

    Attributes
    ----------
    name : str
    vocabulary : Vocabulary
        Every character of the whole text (the test part may hold one the train part lacks).
    train, test : ndarray of int64
        The codes of the first and of the last part of the text.
    source : str
        Where the text came from, with its licence for the shipped one.
    """

    name: str
    vocabulary: Vocabulary
    train: np.ndarray
    test: np.ndarray
    source: str = ""

    def part(self, name: str) -> np.ndarray:
        """The codes of the part ``name``, "train" or "test"."""
        if name not in ("train", "test"):
            raise ValueError(f"{self.name}: part must be 'train' or 'test', got {name!r}")
        return self.train if name == "train" else self.test

    def windows(self, length: int, batch_size: int, rng: np.random.Generator,
                part: str = "train") -> tuple[np.ndarray, np.ndarray]:
        """``batch_size`` windows of ``length`` characters drawn at random starts in a part.

        Returns
        -------
        inputs, targets : ndarray of int64, shape (length, batch_size)
            Time first, as the recurrent layers take it: column j is one window, and
            ``targets[t, j]`` is the character after ``inputs[t, j]`` in the text.

        Raises
        ------
        ValueError
            A length or batch size below 1, or a part shorter than ``length`` + 1 characters.
        """
        codes = self.part(part)
        _check_whole(self.name, length=length, batch_size=batch_size)
        if codes.size < length + 1:
            raise ValueError(f"{self.name}: the {part} part has {codes.size} characters, and a window of "
                             f"{length} with its targets needs {length + 1}; give a shorter length")
        starts = rng.integers(0, codes.size - length, batch_size)
        rows = np.arange(length)[:, None] + starts[None, :]
        return codes[rows], codes[rows + 1]

    def streams(self, batch_size: int, part: str = "test") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A whole part as ``batch_size`` consecutive streams, side by side, for an exact loss.

        The pairs (character, next character) of the part are cut into ``batch_size``
        columns of S = ⌈pairs / batch_size⌉ rows, in order; the last column is padded with
        code 0 where the pairs run out. A recurrent model that reads the rows in order, its
        state carried from one window to the next, predicts every pair once.

        Returns
        -------
        inputs, targets : ndarray of int64, shape (S, batch_size)
        real : ndarray of bool, shape (S, batch_size)
            False on the padding, whose predictions do not count.
        """
        codes = self.part(part)
        _check_whole(self.name, batch_size=batch_size)
        pairs = codes.size - 1
        if pairs < 1:
            raise ValueError(f"{self.name}: the {part} part has {codes.size} characters; a stream needs 2")
        rows = -(-pairs // batch_size)
        padded = np.zeros((2, rows * batch_size), dtype=np.int64)
        padded[0, :pairs], padded[1, :pairs] = codes[:-1], codes[1:]
        real = (np.arange(rows * batch_size) < pairs).reshape(batch_size, rows).T
        inputs, targets = (row.reshape(batch_size, rows).T for row in padded)
        return inputs, targets, real

    def bigram_loss(self, k: float = 1.0) -> float:
        """The cross-entropy on the test part of the add-k bigram model of the train part; see
        :func:`bigram_cross_entropy`."""
        return bigram_cross_entropy(self.train, self.test, len(self.vocabulary), k)


def _check_whole(where: str, **sizes: int) -> None:
    for name, size in sizes.items():
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"{where}: {name} must be a whole number >= 1, got {size!r}")


def char_text(text: str, test_fraction: float = 0.1, name: str = "text", source: str = "") -> CharText:
    """``text`` coded by its own characters and split by position: the last ``test_fraction``
    of it (rounded to whole characters, at least 2) tests.

    Raises
    ------
    ValueError
        A fraction outside (0, 1), or a text too short for 2 characters in each part.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"{name}: test_fraction must lie strictly between 0 and 1, got {test_fraction}")
    if len(text) < 4:
        raise ValueError(f"{name}: a text of {len(text)} characters is too short; give at least 4, "
                         "2 for each part")
    vocabulary = Vocabulary.of(text)
    codes = vocabulary.encode(text)
    tested = min(max(2, round(test_fraction * len(text))), len(text) - 2)
    return CharText(name, vocabulary, codes[:-tested], codes[-tested:], source)


def shipped_text(name: str = "persuasion", test_fraction: float = 0.1) -> CharText:
    """The shipped text ``name`` as :func:`char_text` codes and splits it (129,463 characters
    of 75 kinds for "persuasion": 116,517 train, 12,946 test)."""
    return char_text(read_text(name), test_fraction, name, SHIPPED_TEXTS[name])


def bigram_cross_entropy(train: np.ndarray, test: np.ndarray, size: int, k: float = 1.0) -> float:
    """Mean −log p(b | a) over the test pairs (a, b), p the add-k bigram model of the train pairs.

    p(b | a) = (count(a, b) + k) / (count(a) + k · size), counting the pairs of consecutive
    train codes and ``count(a)`` the pairs that start with a: the baseline a next-character
    model beats once it uses more than the one character before. In nats, as cross_entropy.

    Raises
    ------
    ValueError
        k not positive (an unseen pair would have probability 0), fewer than 2 codes in a
        part, or a code outside 0..size − 1.
    """
    if not k > 0:
        raise ValueError(f"bigram: the smoothing k must be positive, got {k}; 1 is add-one (Laplace)")
    parts = [np.asarray(train, dtype=np.int64), np.asarray(test, dtype=np.int64)]
    for where, codes in zip(("train", "test"), parts):
        if codes.size < 2:
            raise ValueError(f"bigram: the {where} part has {codes.size} codes; it needs 2 for a pair")
        if codes.min() < 0 or codes.max() >= size:
            raise ValueError(f"bigram: the {where} part has codes outside 0..{size - 1}")
    train, test = parts
    counts = np.bincount(train[:-1] * size + train[1:], minlength=size * size).reshape(size, size)
    rows = counts.sum(axis=1)
    p = (counts[test[:-1], test[1:]] + k) / (rows[test[:-1]] + k * size)
    return float(-np.mean(np.log(p)))


__all__ = ["SHIPPED_TEXTS", "CharText", "Vocabulary", "bigram_cross_entropy", "char_text", "read_text",
           "shipped_text"]
