import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
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
