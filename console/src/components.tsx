import type { ComponentChildren, ComponentType } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { Loaded } from './hooks';
import { useStrings } from './i18n';

/** The page's heading; takes focus when the page opens so keyboard and screen-reader users start there. */
export function PageTitle({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1} id="page-title">
      {children}
    </h1>
  );
}

export function Show<T>({
  loaded,
  children,
  retry,
}: {
  loaded: Loaded<T>;
  children: (value: T) => ComponentChildren;
  retry?: () => void;
}) {
  const { t } = useStrings();
  if (loaded.state === 'loading') return <p aria-busy="true">{t.common.loading}</p>;
  if (loaded.state === 'error') {
    return (
      <div role="alert" class="error">
        <p>
          {t.common.error}: {loaded.message}
        </p>
        {retry && (
          <button type="button" onClick={retry}>
            {t.common.retry}
          </button>
        )}
      </div>
    );
  }
  return <>{children(loaded.value)}</>;
}

export function Badge({
  tone,
  children,
}: {
  tone: 'good' | 'warn' | 'bad' | 'plain';
  children: ComponentChildren;
}) {
  return <span class={`badge badge-${tone}`}>{children}</span>;
}

/**
 * A page or part loaded on first use (its charts and domain code stay out
 * of the first load). `load` must be stable (a module-level function).
 */
export function Lazy<P extends object>({
  load,
  props,
}: {
  load: () => Promise<ComponentType<P>>;
  props?: P;
}) {
  const { t } = useStrings();
  const [part, setPart] = useState<{ Part: ComponentType<P> } | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    load().then(
      (Part) => setPart({ Part }),
      (failure: unknown) => setError((failure as Error).message),
    );
  }, [load]);
  if (error) return <p role="alert">{error}</p>;
  return part ? <part.Part {...((props ?? {}) as P)} /> : <p aria-busy="true">{t.common.loading}</p>;
}

/**
 * A labelled choice among fixed API values, each shown in the reader's
 * language; with `allLabel`, a first option `all` stands for no filter.
 *
 * @param label - the visible label (the control's accessible name)
 * @param options - the API's values, in the order staff pick from
 * @param names - each value in the reader's language
 */
export function Choice<T extends string>({
  label,
  value,
  options,
  names,
  onChange,
  allLabel,
  describedBy,
}: {
  label: string;
  value: T | 'all';
  options: readonly T[];
  names: Record<T, string>;
  onChange: (value: T | 'all') => void;
  allLabel?: string;
  describedBy?: string;
}) {
  return (
    <label>
      {label}{' '}
      <select
        value={value}
        aria-describedby={describedBy}
        onChange={(event) => onChange(event.currentTarget.value as T | 'all')}
      >
        {allLabel !== undefined && <option value="all">{allLabel}</option>}
        {options.map((option) => (
          <option key={option} value={option}>
            {names[option]}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * A modal question before a change that cannot be taken back (a patient is
 * texted, a broadcast stops). The safe answer has focus; Escape and "keep"
 * change nothing, and focus returns to the button that opened it.
 *
 * @param title - the question, the dialog's accessible name
 * @param children - what will happen, and any choice that goes with it
 * @param onConfirm - does the change; the dialog stays open until the caller closes it
 * @param onKeep - closes it without a change
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  keepLabel,
  onConfirm,
  onKeep,
}: {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  keepLabel: string;
  onConfirm: () => void;
  onKeep: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const keep = useRef<HTMLButtonElement>(null);
  const id = useId();
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    ref.current?.showModal();
    keep.current?.focus();
    return () => opener?.focus();
  }, []);
  return (
    <dialog
      ref={ref}
      class="confirm"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      onCancel={(event) => {
        // Escape: close through the caller's state, so the page and the dialog agree.
        event.preventDefault();
        onKeep();
      }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      <div id={`${id}-body`}>{children}</div>
      <div class="row actions">
        <button type="button" class="danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button type="button" ref={keep} onClick={onKeep}>
          {keepLabel}
        </button>
      </div>
    </dialog>
  );
}

/**
 * A wide table's own horizontal scroll, so a narrow screen (a 390 px phone)
 * scrolls the table and not the page. While it overflows it can take focus,
 * so keyboard users can scroll it too.
 *
 * @param label - the table's caption, the scroll area's accessible name
 */
export function TableScroll({ label, children }: { label: string; children: ComponentChildren }) {
  const ref = useRef<HTMLDivElement>(null);
  const [overflows, setOverflows] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setOverflows(element.scrollWidth > element.clientWidth + 1);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    for (const child of element.children) observer.observe(child);
    return () => observer.disconnect();
  }, []);
  return (
    // biome-ignore lint/a11y/useSemanticElements: a fieldset groups form controls; this is a table's scroll box.
    <div ref={ref} class="table-scroll" role="group" aria-label={label} tabIndex={overflows ? 0 : undefined}>
      {children}
    </div>
  );
}
