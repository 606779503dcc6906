// The request bodies the bare loops send (bench/ceiling.js, curl --parallel): 1000 pre-serialised
// conversation records, as bulk-submit would send them, cycled.
const DEVICES = ['TABLET', 'PHONE', 'DESKTOP', 'WATCH', 'OTHER'];
export const bodies = Array.from({ length: 1000 }, (_, i) =>
  JSON.stringify({
    eventId: `bs-${i.toString(16).padStart(40, '0')}`,
    externalConversationId: `conv-${String(i).padStart(9, '0')}`,
    lobId: `lob-${i % 17}`,
    lobName: 'Retail, Small Business',
    groupId: `grp-${i % 31}`,
    groupName: 'Cards Team',
    agentRoutingCode: `route-${i % 97}`,
    campaign: `campaign-${i % 5}`,
    deviceType: DEVICES[i % 5],
    platform: 'WEB',
    companySegment: ['Sales', 'Marketing'],
    companySubdivision: 'Consumer',
    businessRule: "Apply customer's discount",
    entryType: 'reactive',
    operatingSystem: 'MAC_OS',
    browserType: 'Safari',
    browserVersion: `${1 + (i % 120)}.0.${i % 10}`,
    attributes: [{ name: 'channel', value: 'chat' }, { name: 'priority', value: 'high' }],
  }),
);
