/**
 * The built-in reply vocabulary, English and Spanish (plus the French opt-out
 * words carriers honour in North America), as data. Every entry is written
 * folded (see normalise.ts): lowercase, no accents, no apostrophes, words
 * separated by one space. A language is added by adding its words here.
 *
 * Three kinds of entry:
 * - keywords: the whole reply is one of them, give or take filler words
 *   ("please", "thanks", "hola"): `STOP`, `Yes please!`, `Sí, gracias`;
 * - clause keywords (opt-out only): a sentence of their own inside a longer
 *   text still counts ("Who is this? STOP");
 * - phrases: patterns found anywhere in the reply ("stop texting me",
 *   "no me manden más mensajes"), guarded against a negation just before
 *   them ("please don't stop sending reminders").
 */

import { THUMBS_UP } from './normalise';

/** Intents a reply can carry; the order of checks is in interpret.ts. */
export type KeywordIntent = 'opt-out' | 'opt-in' | 'help' | 'confirm' | 'reschedule';

export interface PhraseRule {
  /** Stable name, safe to log (it is ours, not the patient's text). */
  id: string;
  /** A regular expression over the folded words joined by single spaces. */
  pattern: string;
  /** Skip a match that follows `dont`, `not`, `never`, `no`, … */
  negatable: boolean;
}

const phrase = (id: string, pattern: string, negatable = true): PhraseRule => ({ id, pattern, negatable });

/**
 * Opt-out keywords for a whole reply. CTIA's and AWS End User Messaging's
 * list (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT,
 * OPT-OUT, REMOVE, ARRET, TD), FCC 24-18's words (stop, quit, end, revoke,
 * opt out, cancel, unsubscribe), and their Spanish counterparts.
 * A bare CANCEL is an opt-out, as CTIA and the FCC read it (see interpret.ts).
 */
export const OPT_OUT_KEYWORDS: readonly string[] = [
  'stop',
  'stopall',
  'stop all',
  'stop it',
  'stop now',
  'unsubscribe',
  'unsub',
  'cancel',
  'cancel all',
  'end',
  'quit',
  'revoke',
  'optout',
  'opt out',
  'remove',
  'remove me',
  'arret',
  'arreter',
  'td',
  'desabonner',
  'no more',
  'enough',
  // Spanish
  'baja',
  'de baja',
  'darme de baja',
  'dar de baja',
  'alto',
  'parar',
  'pare',
  'paren',
  'para ya',
  'detener',
  'basta',
  'ya basta',
  'basta ya',
  'cancelar',
  'cancelar todo',
  'desuscribir',
  'desuscribirme',
  'no mas',
];

/**
 * Opt-out words that count as a sentence of their own inside a longer reply
 * ("Thanks. STOP"). CANCEL, END, QUIT and REMOVE are left out: as one
 * sentence of several they usually mean something else ("Cancel, I'm sick").
 */
export const OPT_OUT_CLAUSE_KEYWORDS: readonly string[] = [
  'stop',
  'stopall',
  'stop all',
  'stop it',
  'stop now',
  'stop everything',
  'unsubscribe',
  'unsub',
  'optout',
  'opt out',
  'revoke',
  'arret',
  'no more texts',
  'no more messages',
  'no texts',
  'no more text messages',
  'baja',
  'darme de baja',
  'basta',
  'ya basta',
  'no mas mensajes',
  'no mas textos',
];

/** Words that may surround a keyword without changing what it says. */
export const FILLERS: readonly string[] = [
  'please',
  'pls',
  'plz',
  'plez',
  'now',
  'right now',
  'thanks',
  'thank you',
  'thank u',
  'thankyou',
  'thx',
  'tx',
  'ty',
  'tks',
  'thanks again',
  'hi',
  'hello',
  'hey',
  'just',
  'ok',
  'okay',
  'yes',
  'si',
  'i said',
  'again',
  'already',
  'good morning',
  'good afternoon',
  'good evening',
  'por favor',
  'porfa',
  'porfavor',
  'gracias',
  'muchas gracias',
  'mil gracias',
  'hola',
  'buenos dias',
  'buenas tardes',
  'buenas noches',
  'buenas',
  'ya',
  'ahora',
  'dije',
  'merci',
  'sil vous plait',
];

/** Fillers that only fit a confirmation ("thanks for the reminder"). */
export const CONFIRM_FILLERS: readonly string[] = [
  'thanks for the reminder',
  'thank you for the reminder',
  'thanks for reminding me',
  'thank you for reminding me',
  'gracias por el recordatorio',
  'gracias por recordarme',
  'gracias por avisar',
  'great',
  'cool',
  'awesome',
  'got it',
];

/** Whole-reply opt-in keywords (START and UNSTOP, as carriers and AWS use them). YES is a confirmation here, never an opt-in. */
export const OPT_IN_KEYWORDS: readonly string[] = [
  'start',
  'unstop',
  'resume',
  'subscribe',
  'optin',
  'opt in',
  'start again',
  'restart',
  'alta',
  'de alta',
  'darme de alta',
  'reanudar',
  'comenzar',
  'empezar',
  'suscribir',
  'suscribirme',
];

/** Whole-reply help keywords (CTIA: HELP and INFO; AYUDA in Spanish). */
export const HELP_KEYWORDS: readonly string[] = [
  'help',
  'help me',
  'info',
  'information',
  'need help',
  'i need help',
  'ayuda',
  'ayudame',
  'necesito ayuda',
  'informacion',
  'aide',
];

/** Whole-reply confirmations; the built-in texts promise `C`. */
export const CONFIRM_KEYWORDS: readonly string[] = [
  'c',
  'confirm',
  'confirmed',
  'confirming',
  'i confirm',
  'confirm please',
  'yes',
  'y',
  'yeah',
  'yea',
  'yep',
  'yup',
  'ye',
  'yess',
  'yes confirm',
  'yes i confirm',
  'yes confirmed',
  'ok',
  'okay',
  'okey',
  'oki',
  'k',
  'kk',
  'sure',
  'absolutely',
  'definitely',
  'of course',
  'perfect',
  'sounds good',
  'see you',
  'see you then',
  'see you there',
  'see you soon',
  'see you tomorrow',
  'c u',
  'cu',
  'c u there',
  'c u then',
  'see u',
  'see u then',
  'see u there',
  'i will be there',
  'ill be there',
  'will be there',
  'we will be there',
  'well be there',
  'i will attend',
  'i will come',
  'ill come',
  'i will be attending',
  'im coming',
  'coming',
  THUMBS_UP,
  // Spanish
  'si',
  'sip',
  'si confirmo',
  'confirmo',
  'confirmado',
  'confirmada',
  'confirmar',
  'claro',
  'claro que si',
  'de acuerdo',
  'vale',
  'perfecto',
  'listo',
  'alli estare',
  'ahi estare',
  'alla estare',
  'ahi estaremos',
  'alli estaremos',
  'nos vemos',
  'asistire',
  'si asistire',
  'voy',
  'si voy',
  'ahi nos vemos',
];

/** Whole-reply reschedule requests; the built-in texts promise `R`. */
export const RESCHEDULE_KEYWORDS: readonly string[] = [
  'r',
  'reschedule',
  're schedule',
  'resched',
  'change',
  'change it',
  'change time',
  'change date',
  'another time',
  'another day',
  'different time',
  'new time',
  'move it',
  'cambiar',
  'cambio',
  'cambiarla',
  'reprogramar',
  'reagendar',
  'otra hora',
  'otro dia',
  'otra fecha',
  'otra cita',
];

/** Phrases that revoke consent wherever they appear (FCC 24-18: any wording a reasonable person reads as "stop"). */
export const OPT_OUT_PHRASES: readonly PhraseRule[] = [
  phrase(
    'stop-sending',
    'stop (texting|txting|texing|messaging|msging|sending|contacting|calling|bothering|spamming|writing|harassing)',
  ),
  phrase(
    'stop-the-texts',
    'stop (the |these |those |your |all |all the |all these |all of the |all of these |this |any |receiving |getting )*(texts|text messages|messages|msgs|sms|reminders|notifications|alerts|spam)',
  ),
  phrase('stop-everything', 'stop (everything|all of it|all of this|them|this)'),
  phrase('make-it-stop', 'make (it|them|this) stop'),
  phrase(
    'do-not-text-me',
    '(dont|do not|never|please dont|please do not) (ever )?(text|txt|message|msg|sms|contact|bother|spam) (me|us|this number|my number)',
    false,
  ),
  phrase(
    'no-more-texts',
    'no more (texts|text messages|messages|msgs|sms|reminders|texting|notifications|alerts)',
    false,
  ),
  phrase(
    'do-not-want-texts',
    '(i|we) (dont|do not|no longer|dont ever) want (to (get|receive) )?(any |these |your |the |more |any more |anymore |those )*(texts|text messages|messages|msgs|sms|reminders|notifications)(?! to (stop|end|quit|finish))',
    false,
  ),
  phrase('remove-me', '(unsubscribe|unsub|remove|delete) (me|my number|this number|us)'),
  phrase('take-me-off', 'take (me|my number|this number|us) off'),
  phrase('opt-me-out', 'opt (me|us) out'),
  phrase(
    'i-opt-out',
    '(i|we) (want to |wanna |would like to |wish to |need to )?(opt out|optout|unsubscribe)',
  ),
  phrase('opting-out', 'opting out'),
  phrase('revoke-consent', '(revoke|withdraw|cancel) (my |our |the )?(consent|permission)'),
  phrase('do-not-consent', '(i|we) (dont|do not|no longer) consent', false),
  phrase(
    'cancel-the-texts',
    'cancel (my |the |these |all |all the |your |this |those |text |sms )*(texts|text messages|messages|msgs|sms|reminders|notifications|alerts|subscription)',
  ),
  phrase('quit-texting', 'quit (texting|messaging|sending|contacting|bothering)'),
  phrase('leave-me-alone', 'leave (me|us) alone'),
  phrase('wrong-number', '(wrong|incorrect) (number|person)', false),
  // Spanish
  phrase(
    'no-me-manden-mensajes',
    'no (me|nos) (manden|mande|mandes|mandan|envien|envie|envies|envian|escriban|escriba|escribas) (mas|mensajes|textos|sms|recordatorios|notificaciones|nada|mensajitos)',
    false,
  ),
  phrase(
    'no-me-escriban',
    'no (me|nos) (escriban|escriba|escribas|contacten|contacte|molesten|moleste|texteen|textee|mensajeen)',
    false,
  ),
  phrase(
    'no-quiero-mensajes',
    'no (quiero|deseo|necesito) (recibir |mas |seguir recibiendo |los |sus |estos |esos )*(mensajes|textos|sms|recordatorios|notificaciones|mensajitos)',
    false,
  ),
  phrase(
    'dejen-de',
    // "no dejen de mandarme recordatorios" asks for the opposite.
    '(?<!(?:^| )(?:no|nunca) )(dejen|deje|deja|paren|pare|para|dejar) de (mandar|enviar|escribir|contactar|molestar|textear|mandarme|enviarme|escribirme|contactarme|molestarme|textearme|mandarnos|enviarnos|escribirnos)',
  ),
  phrase('no-mas-mensajes', 'no (mas|quiero mas) (mensajes|textos|sms|recordatorios|notificaciones)', false),
  phrase('dar-de-baja', '(darme|darse|darnos|dar|doy|me doy|quiero darme|deseo darme) de baja'),
  phrase(
    'cancelar-suscripcion',
    'cancelar (la |mi |los |sus |estos )?(suscripcion|mensajes|textos|recordatorios)',
  ),
  phrase(
    'quitenme',
    '(quitenme|quitarme|sacarme|saquenme|borrenme|eliminenme|borren mi numero|eliminen mi numero|borrar mi numero|eliminar mi numero|quiten mi numero)',
  ),
  phrase(
    'numero-equivocado',
    '(numero equivocado|numero incorrecto|se equivocaron de numero|equivocado de numero)',
    false,
  ),
  phrase('dejenme-en-paz', '(dejenme|dejeme|dejame) en paz'),
  phrase('basta-de-mensajes', 'basta de (mensajes|textos|recordatorios)', false),
];

/**
 * Phrases asking to be texted again. Unlike the opt-out phrases they must
 * make up a whole sentence, give or take fillers: "text me again" is an
 * opt-in, "can you text me again tomorrow with the address?" is a question
 * for staff.
 */
export const OPT_IN_PHRASES: readonly PhraseRule[] = [
  phrase(
    'start-texting-me',
    '(start|resume|restart) (texting|messaging|sending|contacting)( me| us)?( again)?',
  ),
  phrase(
    'start-the-texts',
    '(start|resume|restart) (the |my |your )?(texts|messages|reminders|sms)( again)?',
  ),
  phrase('text-me-again', '(please )?(text|message|txt) (me|us) again'),
  phrase('opt-me-in', 'opt (me|us) (back )?in'),
  phrase(
    'i-opt-in',
    '(i|we) (want to |would like to |wish to )?(opt in|optin|opt back in|subscribe again|resubscribe)',
  ),
  phrase(
    'quiero-recibir-de-nuevo',
    '(quiero|deseo) (volver a )?recibir (los |sus )?(mensajes|textos|recordatorios)( otra vez| de nuevo)?',
  ),
  phrase('vuelvan-a-mandarme', '(vuelvan|vuelva) a (mandarme|enviarme|escribirme)( mensajes)?'),
  phrase('darme-de-alta', '(darme|dar|doy|me doy|quiero darme) de alta'),
];

/** Phrases asking for another time, anywhere in the reply. */
export const RESCHEDULE_PHRASES: readonly PhraseRule[] = [
  phrase(
    'reschedule',
    '(reschedule|rescheduling|re schedule|resched|rebook|re book|reprogramar|reprogramarla|reagendar|reagendarla)',
  ),
  phrase(
    'change-appointment',
    '(change|move|switch|modify|push|shift) (my |the |our |this |that |it |her |his |their )?(appointment|appt|visit|time|date|day|booking|reservation)',
  ),
  phrase('change-it', '(change|move|push) it'),
  phrase(
    'another-time',
    '(another|different|other|new|later|earlier|an earlier|a later|a different) (time|day|date|appointment|appt|slot)',
  ),
  phrase(
    'cambiar-cita',
    '(cambiar|mover|cambio de|mover de|pasar) (mi |la |de |su )?(cita|hora|fecha|dia|turno|consulta)',
  ),
  phrase('cambiarla', '(cambiarla|moverla|cambiarlo|moverlo)'),
  phrase('otra-hora', '(otra|otro|nueva|nuevo) (hora|fecha|cita|dia|horario|turno)'),
];

/** Cancel words that ask staff to cancel a visit when the reply is not a bare CANCEL. */
export const CANCEL_REQUEST_WORDS: readonly string[] = [
  'cancel',
  'cancellation',
  'cancelar',
  'cancela',
  'cancele',
  'cancelen',
  'cancelarla',
  'cancelarlo',
  'cancelo',
  'anular',
  'anula',
  'anulen',
];

/** Words that, just before an English phrase, turn it around ("don't stop sending reminders"); Spanish patterns carry their own. */
export const NEGATIONS: readonly string[] = [
  'dont',
  'do not',
  'didnt',
  'did not',
  'never',
  'cant',
  'cannot',
  'can not',
  'wont',
  'will not',
  'not',
  'doesnt',
  'does not',
  'shouldnt',
  'wouldnt',
];

/** Score words for a survey answer written out ("eight", "ocho"). */
export const NUMBER_WORDS: Readonly<Record<string, number>> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  cero: 0,
  uno: 1,
  dos: 2,
  tres: 3,
  cuatro: 4,
  cinco: 5,
  seis: 6,
  siete: 7,
  ocho: 8,
  nueve: 9,
  diez: 10,
};

/** Words that may come before a score ("a 9", "un 8", "score 7", "le doy un 10"). */
export const SCORE_PREFIXES: readonly string[] = [
  'a',
  'an',
  'un',
  'una',
  'score',
  'my score',
  'my score is',
  'rating',
  'i give it',
  'i give it a',
  'i give you',
  'i give you a',
  'id give it',
  'id give it a',
  'nota',
  'puntuacion',
  'puntaje',
  'calificacion',
  'le doy',
  'le doy un',
  'les doy',
  'les doy un',
  'doy un',
];

/** Words dropped around a score ("8 thanks", "gracias, 10"). */
export const SCORE_FILLERS: readonly string[] = [
  'thanks',
  'thank',
  'you',
  'u',
  'thx',
  'ty',
  'tks',
  'please',
  'pls',
  'plz',
  'hi',
  'hello',
  'hey',
  'ok',
  'okay',
  'just',
  'gracias',
  'muchas',
  'mil',
  'por',
  'favor',
  'porfa',
  'hola',
  'merci',
];

/** Opt-out words that count as the last word of a sentence ("thanks for the reminder stop"). */
export const STOP_WORDS_AT_CLAUSE_END: readonly string[] = [
  'stop',
  'stopall',
  'unsubscribe',
  'unsub',
  'optout',
];

/** Words that, just before a final STOP, make it a noun or someone else's verb ("bus stop", "I can't stop", "to stop"). */
export const WORDS_BEFORE_A_NOUN_STOP: readonly string[] = [
  'the',
  'a',
  'an',
  'my',
  'your',
  'our',
  'his',
  'her',
  'their',
  'this',
  'that',
  'next',
  'last',
  'first',
  'one',
  'bus',
  'train',
  'truck',
  'rest',
  'pit',
  'full',
  'non',
  'quick',
  'short',
  'to',
  'will',
  'would',
  'can',
  'could',
  'should',
  'must',
  'might',
  'may',
  'gonna',
  'wanna',
  'cant',
  'wont',
  'dont',
  'never',
  'not',
  'ill',
  'id',
  'we',
  'i',
  'they',
  'he',
  'she',
];

/** Words that may come after a score ("9 points", "10 estrellas"). */
export const SCORE_SUFFIXES: readonly string[] = ['points', 'pts', 'stars', 'puntos', 'estrellas'];
