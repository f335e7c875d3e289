/** Boot: read config.json, restore or finish sign-in, render the console. */
import { render } from 'preact';
import { useCallback, useState } from 'preact/hooks';
import { App } from './app';
import { restoreSession, type Session, startCognitoSignIn, storeToken } from './auth';
import { type ConsoleConfig, loadConfig } from './config';
import {
  initialLanguage,
  type Language,
  LanguageContext,
  rememberLanguage,
  STRINGS,
  useStrings,
} from './i18n';
import './styles.css';

function SignIn({ config, onSession }: { config: ConsoleConfig; onSession: (session: Session) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const { t } = useStrings();
  return (
    <main id="main" class="sign-in">
      <h1>{t.signIn.title}</h1>
      {config.auth.mode === 'cognito' ? (
        <button type="button" onClick={() => void startCognitoSignIn(config.auth as never)}>
          {t.signIn.cognito}
        </button>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const session = storeToken(token.trim());
            if (!session) setError(t.signIn.invalid);
            else onSession(session);
          }}
        >
          <p>{t.signIn.localHint}</p>
          <label for="token">{t.signIn.token}</label>
          <textarea
            id="token"
            rows={3}
            value={token}
            aria-describedby={error ? 'token-error' : undefined}
            onInput={(event) => setToken(event.currentTarget.value)}
          />
          {error && (
            <p id="token-error" role="alert" class="field-error">
              {error}
            </p>
          )}
          <button type="submit">{t.signIn.submit}</button>
        </form>
      )}
    </main>
  );
}

function Root({ config, initial }: { config: ConsoleConfig; initial: Session | undefined }) {
  const [session, setSession] = useState(initial);
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  const setLanguage = useCallback((next: Language) => {
    rememberLanguage(next);
    setLanguageState(next);
  }, []);
  const onSignOut = useCallback(() => setSession(undefined), []);
  const t = STRINGS[language];
  let body: preact.ComponentChild;
  if (!session) body = <SignIn config={config} onSession={setSession} />;
  else if (session.clinics.length === 0)
    body = (
      <main id="main">
        <h1>{t.signIn.title}</h1>
        <p role="alert">{t.signIn.noClinic}</p>
      </main>
    );
  else body = <App config={config} session={session} onSignOut={onSignOut} setLanguage={setLanguage} />;
  return <LanguageContext.Provider value={{ language, t }}>{body}</LanguageContext.Provider>;
}

async function boot() {
  const root = document.getElementById('app') as HTMLElement;
  document.documentElement.lang = initialLanguage();
  try {
    const config = await loadConfig();
    const session = await restoreSession(config);
    render(<Root config={config} initial={session} />, root);
  } catch (error) {
    root.textContent = (error as Error).message;
  }
}

void boot();
