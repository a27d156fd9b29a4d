"""What the window shows, without Qt: the example gallery and recorded passes with a cursor."""

from .examples import EXAMPLES, Built, GalleryExample, big_perceptron_net
from .playback import PHASES, Cursor, Recording, record

__all__ = ["Built", "Cursor", "EXAMPLES", "GalleryExample", "PHASES", "Recording", "big_perceptron_net", "record"]
