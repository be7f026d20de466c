"""Adapters: the only place in analyzer/ that talks to vendor SDKs (ONNX, Chroma, LangChain/OpenAI)."""
