/**
 * A segmented control: a few exclusive choices side by side, the chosen one lit (toggle buttons
 * in a labelled fieldset, aria-pressed on the chosen one). Each choice says in its tooltip what it
 * shows.
 */
import './segmented.css';

export interface SegmentOption<T extends string> {
  value: T;
  label: string;
  /** What choosing it shows (the tooltip). */
  help: string;
}

export function Segmented<T extends string>(props: {
  /** What is being chosen, for assistive technology ("group by"). */
  label: string;
  options: readonly SegmentOption<T>[];
  value: T;
  onChange(value: T): void;
  testId?: string;
}) {
  const { label, options, value, onChange } = props;
  return (
    <fieldset className="seg" aria-label={label} data-testid={props.testId}>
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          aria-pressed={o.value === value}
          className="seg-btn"
          data-value={o.value}
          data-tip={o.help}
          onClick={() => onChange(o.value)}
        >
          {o.label}
        </button>
      ))}
    </fieldset>
  );
}
