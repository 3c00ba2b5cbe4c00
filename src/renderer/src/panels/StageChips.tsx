/**
 * Stage chips: one toggle a latency stage, its colour dot, and a tooltip saying what the stage
 * measures. Multiple (the Latency panel shows and hides stages, at least one stays shown) or
 * single (the Distribution panel picks one).
 */
import './stage-chips.css';
import { STAGES, type StageKey } from './latency-stages.ts';

export function StageChips(props: {
  label: string;
  selected: readonly StageKey[];
  onChange(next: StageKey[]): void;
  single?: boolean;
  testId?: string;
  /** Shown after a chip's name (e.g. "not recording"), by stage. */
  notes?: Partial<Record<StageKey, string>>;
}) {
  const { selected, onChange, single } = props;
  const toggle = (key: StageKey): void => {
    if (single) {
      if (!selected.includes(key)) onChange([key]);
      return;
    }
    const on = selected.includes(key);
    if (on && selected.length === 1) return; // an empty chart says nothing: keep one
    onChange(STAGES.map((s) => s.key).filter((k) => (k === key ? !on : selected.includes(k))));
  };
  return (
    <fieldset className="stage-chips" aria-label={props.label} data-testid={props.testId}>
      {STAGES.map((s) => {
        const on = selected.includes(s.key);
        const note = props.notes?.[s.key];
        return (
          <button
            key={s.key}
            type="button"
            className="stage-chip"
            aria-pressed={on}
            data-stage={s.key}
            data-tip={s.help}
            onClick={() => toggle(s.key)}
            style={{ '--chip': s.colours.chip } as React.CSSProperties}
          >
            <span className="stage-chip-dot" aria-hidden="true" />
            {s.label}
            {note && <span className="stage-chip-note">{note}</span>}
          </button>
        );
      })}
    </fieldset>
  );
}
