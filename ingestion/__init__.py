"""auditlens ingestion: parse reports and evidence, extract findings, chunk and index them."""
