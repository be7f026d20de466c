"""The offline analyzer: cue rules + nearest neighbours over a written exemplar bank, no network."""

from analyzer.offline.analyzer import OFFLINE_ANALYZER_VERSION, OfflineAnalyzer
from analyzer.offline.exemplars import Exemplar, load_exemplars
from analyzer.offline.knn import ExemplarKnn

__all__ = ["OFFLINE_ANALYZER_VERSION", "Exemplar", "ExemplarKnn", "OfflineAnalyzer", "load_exemplars"]
