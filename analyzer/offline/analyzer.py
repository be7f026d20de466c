"""OfflineAnalyzer: classifies a finding, reads its stated causes and drafts a plan, with no network."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analyzer.models import (
    Citation,
    DocumentKind,
    Finding,
    FindingAnalysis,
    Provenance,
    RetrievedChunk,
    RootCauseItem,
)
from analyzer.offline.cues import (
    CAUSE_CUES,
    FIELD_CONTEXT,
    FIELD_CONTROL,
    FIELD_RESPONSE,
    FIELD_TEXT,
    FIELD_TITLE,
    CueHit,
    CueVotes,
    cause_votes,
    split_sentences,
    strip_directives,
    type_votes,
)
from analyzer.offline.exemplars import Exemplar
from analyzer.offline.knn import ExemplarKnn, Neighbour
from analyzer.planning import default_subject, draft_plan
from analyzer.playbook import Playbook, load_playbook
from analyzer.ports import ApprovedExample, ApprovedExamples, Embedder, VectorIndex
from analyzer.taxonomy import TYPE_PRECEDENCE, ExceptionType, RootCause

OFFLINE_ANALYZER_VERSION = "offline-1.5"


@dataclass(frozen=True)
class OfflineSettings:
    """Tuning of the offline analyzer (defaults were chosen on held-out real findings)."""

    k: int = 7  # exemplar neighbours consulted
    knn_weight: float = 2.5  # weight of the neighbour vote (shares sum to 1) against cue scores
    approved_k: int = 5  # reviewer-approved findings consulted
    approved_weight: float = 3.0  # the organization's own approved work counts more than the bank
    approved_min_score: float = 0.55  # approved findings less similar than this are ignored
    precedence_margin: float = 0.75  # a higher-precedence type wins if it scores this share of the best
    precedence_min_cue: float = 1.5  # ... and one specific cue in the text supports it this much
    # Types that need the text itself to say so: a real incident, or named people's conduct.
    cue_required: frozenset[ExceptionType] = frozenset(
        {ExceptionType.DATA_BREACH_INCIDENT, ExceptionType.EMPLOYEE_NEGLIGENCE}
    )
    cue_required_min: float = 1.5
    # Cue score every proposed cause needs: one clear cue (a single bare mention stays below it).
    cause_threshold_first: float = 1.0
    cause_threshold: float = 1.0
    max_causes: int = 3
    evidence_k: int = 6  # evidence/policy chunks retrieved from the same audit


# "Control ...: ... Test performed: ... Exception noted: ..." - what follows the marker is what went wrong.
_EXCEPTION_MARKER = re.compile(
    r"\b(?:exceptions?|deviations?)\s+noted\s*:|\bresults?\s+of\s+(?:the\s+)?test(?:s|ing)?\s*:",
    re.IGNORECASE,
)


def _split_control(text: str) -> tuple[str, str]:
    """(control and test description, the exception) of a finding text; no marker: ("", text)."""
    found = _EXCEPTION_MARKER.search(text)
    if found is None or not text[found.end() :].strip():
        return "", text
    return text[: found.start()].strip(), text[found.end() :].strip()


def _field_texts(finding: Finding) -> dict[str, str]:
    """The parts of a finding the analyzer reads, with instructions to the analyzer removed."""
    control, exception = _split_control(finding.text or "")
    raw = {
        FIELD_CONTROL: control,
        FIELD_TITLE: finding.title or "",
        FIELD_TEXT: exception,
        FIELD_CONTEXT: finding.context or "",
        FIELD_RESPONSE: finding.management_response or "",
    }
    return {name: strip_directives(text) for name, text in raw.items() if text.strip()}


def _query_text(fields: Mapping[str, str]) -> str:
    parts = [fields.get(FIELD_TITLE, ""), fields.get(FIELD_TEXT, ""), fields.get(FIELD_RESPONSE, "")]
    return "\n".join(p for p in parts if p) or fields.get(FIELD_CONTEXT, "") or " "


def _quote(hit: CueHit) -> str:
    return f"{hit.cue.name} ({hit.field}: \u201c{hit.snippet}\u201d)"


class OfflineAnalyzer:
    """Cue rules + nearest neighbours over the exemplar bank and approved findings + the playbook."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        approved: ApprovedExamples | None = None,
        index: VectorIndex | None = None,
        settings: OfflineSettings | None = None,
        exemplars: Sequence[Exemplar] | None = None,
        playbook: Playbook | None = None,
    ) -> None:
        self._settings = settings or OfflineSettings()
        self._embedder = embedder
        self._knn = ExemplarKnn(embedder, exemplars, k=self._settings.k)
        self._approved = approved
        self._index = index
        self._playbook = playbook or load_playbook()

    @property
    def kind(self) -> str:
        """`offline`."""
        return "offline"

    @property
    def knn(self) -> ExemplarKnn:
        """The exemplar neighbour search this analyzer uses."""
        return self._knn

    # ---------------------------------------------------------------- classification
    def _approved_examples(self, finding: Finding, query: str) -> list[ApprovedExample]:
        if self._approved is None:
            return []
        found = self._approved.similar(
            org_id=finding.org_id, text=query, k=self._settings.approved_k, exclude_audit_id=finding.audit_id
        )
        usable = [
            ex
            for ex in found
            if ex.score >= self._settings.approved_min_score
            and ex.analysis.exception_type is not None
            and ex.finding.org_id == finding.org_id  # never learn from another organization's work
        ]
        return sorted(usable, key=lambda ex: (-ex.score, ex.finding.id))

    def _classify(
        self, cues: CueVotes, neighbours: Sequence[Neighbour], approved: Sequence[ApprovedExample]
    ) -> tuple[ExceptionType, dict[ExceptionType, float]]:
        s = self._settings
        knn_share = ExemplarKnn.type_votes(neighbours)
        approved_mass: dict[ExceptionType, float] = {}
        for ex in approved:
            assert ex.analysis.exception_type is not None
            approved_mass[ex.analysis.exception_type] = (
                approved_mass.get(ex.analysis.exception_type, 0.0) + ex.score
            )
        approved_total = sum(approved_mass.values()) or 1.0
        combined = {
            t: round(
                cues.scores.get(t, 0.0)
                + s.knn_weight * knn_share.get(t, 0.0)
                + s.approved_weight * approved_mass.get(t, 0.0) / approved_total,
                6,
            )
            for t in TYPE_PRECEDENCE
        }
        for t in s.cue_required:
            if cues.scores.get(t, 0.0) < s.cue_required_min:
                combined[t] = 0.0
        best = max(TYPE_PRECEDENCE, key=lambda t: (combined[t], -TYPE_PRECEDENCE.index(t)))
        # Precedence: an earlier type wins when it is nearly as strong AND the text itself supports it.
        for t in TYPE_PRECEDENCE:
            if t is best:
                break
            strongest = cues.strongest_hit(t)
            if (
                combined[t] >= s.precedence_margin * combined[best]
                and strongest is not None
                and strongest.score >= s.precedence_min_cue
            ):
                return t, combined
        return best, combined

    # ---------------------------------------------------------------- root causes
    def _causes(
        self, votes: CueVotes, approved: Sequence[ApprovedExample]
    ) -> list[tuple[RootCause, float, CueHit]]:
        s = self._settings
        scores = dict(votes.scores)
        # Approved findings only strengthen causes the text already hints at; they never add one.
        for ex in approved:
            for item in ex.analysis.root_causes:
                if item.category in scores:
                    scores[item.category] += 0.5 * ex.score
        ranked: list[tuple[RootCause, float, CueHit]] = []
        for cause in RootCause:
            hit = votes.strongest_hit(cause)
            if hit is not None:
                ranked.append((cause, round(scores.get(cause, 0.0), 6), hit))
        ranked.sort(key=lambda c: (-c[1], list(RootCause).index(c[0])))
        chosen = [
            c
            for i, c in enumerate(ranked)
            if c[1] >= (s.cause_threshold_first if i == 0 else s.cause_threshold)
        ]
        return chosen[: s.max_causes]

    # ---------------------------------------------------------------- retrieval
    def _retrieve(self, finding: Finding, query: str) -> list[RetrievedChunk]:
        if self._index is None:
            return []
        found = self._index.search(
            org_id=finding.org_id,
            query=query,
            k=self._settings.evidence_k,
            audit_id=finding.audit_id,
            kinds=[DocumentKind.EVIDENCE, DocumentKind.POLICY],
        )
        # Scope check on our side too: only this organization's chunks of this audit are usable.
        return [r for r in found if r.chunk.org_id == finding.org_id and r.chunk.audit_id == finding.audit_id]

    @staticmethod
    def _supporting_chunks(cause: RootCause, retrieved: Sequence[RetrievedChunk]) -> list[str]:
        cues = [c for c in CAUSE_CUES if c.label == cause and c.weight >= 1.0]
        ids = []
        for r in retrieved:
            text = strip_directives(r.chunk.text)
            if any(c.pattern.search(sentence) for sentence in split_sentences(text) for c in cues):
                ids.append(r.chunk.id)
        return ids

    # ---------------------------------------------------------------- the port
    def analyze(self, finding: Finding) -> FindingAnalysis:
        """Analyse one finding deterministically (same input, same output apart from timing fields)."""
        started = time.perf_counter()
        fields = _field_texts(finding)
        query = _query_text(fields)
        type_cues = type_votes(fields)
        neighbours = self._knn.neighbours(vector=self._embedder.embed_query(query))
        approved = self._approved_examples(finding, query)
        primary, combined = self._classify(type_cues, neighbours, approved)

        total = sum(v for v in combined.values() if v > 0) or 1.0
        confidence = round(min(0.99, max(0.05, combined[primary] / total)), 3)
        others = [
            t
            for t in sorted(TYPE_PRECEDENCE, key=lambda t: (-combined[t], TYPE_PRECEDENCE.index(t)))
            if t is not primary and combined[t] >= 0.5 * combined[primary] and combined[t] > 0
        ][:3]

        retrieved = self._retrieve(finding, query)
        cause_votes_ = cause_votes(fields)
        chosen = self._causes(cause_votes_, approved)
        used_chunks: list[str] = []
        root_causes: list[RootCauseItem] = []
        for cause, _score, hit in chosen:
            evidence = self._supporting_chunks(cause, retrieved)
            used_chunks.extend(c for c in evidence if c not in used_chunks)
            root_causes.append(
                RootCauseItem(
                    category=cause,
                    explanation=f"The {hit.field} points to it: {_quote(hit)}.",
                    evidence=evidence,
                )
            )
        if finding.control_ref:
            ref = finding.control_ref.strip()
            for r in retrieved:
                if ref in r.chunk.control_refs and r.chunk.id not in used_chunks:
                    used_chunks.append(r.chunk.id)
        by_id = {r.chunk.id: r.chunk for r in retrieved}
        citations = [
            Citation(chunk_id=c, document=by_id[c].document, page=by_id[c].page) for c in used_chunks
        ]

        rationale = self._rationale(primary, type_cues, neighbours, approved)
        subject = strip_directives(default_subject(finding)) or "the finding"
        plan = draft_plan(
            finding, primary, [c for c, _, _ in chosen], playbook=self._playbook, subject=subject
        )
        return FindingAnalysis(
            finding_id=finding.id,
            exception_type=primary,
            other_types=others,
            confidence=confidence,
            rationale=rationale,
            root_causes=root_causes,
            action_plan=plan,
            citations=citations,
            provenance=Provenance(
                analyzer="offline",
                analyzer_version=OFFLINE_ANALYZER_VERSION,
                model=self._embedder.name,
                retrieved_chunk_ids=[r.chunk.id for r in retrieved],
                latency_ms=round((time.perf_counter() - started) * 1000, 3),
            ),
        )

    @staticmethod
    def _rationale(
        primary: ExceptionType,
        cues: CueVotes,
        neighbours: Sequence[Neighbour],
        approved: Sequence[ApprovedExample],
    ) -> str:
        parts: list[str] = []
        hit = cues.strongest_hit(primary)
        if hit is not None:
            parts.append(f"cue {_quote(hit)}")
        same = [n for n in neighbours if n.exemplar.type is primary][:2]
        if same:
            parts.append("nearest exemplars " + ", ".join(f"{n.exemplar.id} ({n.score:.2f})" for n in same))
        agreeing = [ex for ex in approved if ex.analysis.exception_type is primary][:2]
        if agreeing:
            parts.append(
                "approved earlier findings "
                + ", ".join(f"{ex.finding.id} ({ex.score:.2f})" for ex in agreeing)
            )
        if not parts:
            parts.append("no specific cue; weakest-evidence default from the exemplar vote")
        return f"{primary.value}: " + "; ".join(parts) + "."
