import { describe, expect, it } from 'vitest';
import { detectComplaint } from '../../../../shared/domain/cases/complaints';

describe('detectComplaint', () => {
  const complaints: [string, string, string][] = [
    ['I want to make a complaint', 'complaint', 'other'],
    ['That was TERRIBLE!!!', 'terrible', 'other'],
    ['The receptionist was so rude', 'rude', 'staff'],
    ['terrible, I waited for two hours', 'waited for', 'wait-time'],
    ['You kept me waiting 90 min', 'kept me waiting', 'wait-time'],
    ['I was charged twice for the visit', 'charged twice', 'billing'],
    ['Nobody called me back about my results', 'nobody called', 'communication'],
    ['They lost my appointment again', 'lost my appointment', 'scheduling'],
    ['The doctor didn’t explain anything', 'didnt explain', 'education'],
    ['Never again.', 'never again', 'other'],
    ['Quiero poner una queja', 'queja', 'other'],
    ['Fue PÉSIMO el servicio', 'pesimo', 'other'],
    ['La recepcionista fue muy grosera', 'grosera', 'staff'],
    ['Me cobraron dos veces', 'me cobraron dos veces', 'billing'],
    ['Nadie me llamó', 'nadie me llamo', 'communication'],
    ['Tuve que esperar 2 horas', 'tuve que esperar', 'wait-time'],
    ['great visit. the bill was wrong though, unacceptable', 'unacceptable', 'other'],
  ];
  it.each(complaints)('reads %j as a complaint (%s → %s)', (text, phrase, category) => {
    expect(detectComplaint(text)).toEqual({ phrase, category });
  });

  const nearMisses = [
    'Thanks, all good',
    'No complaints at all!',
    'Not rude at all, very kind',
    'It was not terrible, quite nice actually',
    'nothing to complain about',
    'I was waiting for your call, thanks', // "waiting for" is not "waited for"
    'Can I get a bill copy?',
    'Wait, what time is it?',
    'Sin quejas, gracias',
    'No fue pésimo, me gustó',
    'the terrace was lovely', // "terrible" is a word, not a substring
    'rudeness?', // a different word
    '',
    '👍',
  ];
  it.each(nearMisses)('does not read %j as a complaint', (text) => {
    expect(detectComplaint(text)).toBeUndefined();
  });

  it('takes a clinic phrase and drops a built-in the clinic turned off', () => {
    const clinic = { add: ['Parking was a nightmare'], remove: ['refund'] };
    expect(detectComplaint('honestly, parking was a NIGHTMARE', clinic)).toEqual({
      phrase: 'parking was a nightmare',
      category: 'other',
    });
    expect(detectComplaint('Can I get a refund', clinic)).toBeUndefined();
    expect(detectComplaint('Can I get a refund')).toEqual({ phrase: 'refund', category: 'billing' });
  });

  it('stops a negation at the end of its clause', () => {
    expect(detectComplaint('No. It was terrible')).toEqual({ phrase: 'terrible', category: 'other' });
  });
});
