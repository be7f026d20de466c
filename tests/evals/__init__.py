"""Tests of the eval suite machinery and the CI gate."""
