// The chat page: asks the app for a client access URL (/negotiate), connects to Web PubSub with the
// JSON subprotocol, and shows what the room receives. Posting goes through the app's REST route,
// whose @BroadcastToGroup decorator sends the message to the room.

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
$('name').value = params.get('user') ?? '';
$('room').value = params.get('room') ?? $('room').value;

let session;

$('join-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  session?.socket.close();
  const user = $('name').value.trim();
  const room = $('room').value.trim();
  $('messages').replaceChildren();
  try {
    session = await join(user, room);
  } catch (error) {
    setStatus(error.message);
  }
});

$('send-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('text').value;
  const response = await fetch(`/rooms/${encodeURIComponent(session.room)}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-chat-user': session.user },
    body: JSON.stringify({ text }),
  });
  if (response.ok) $('text').value = '';
  else setStatus(`Not sent: ${(await response.json()).message}`);
});

async function join(user, room) {
  setStatus('Connecting…');
  const response = await fetch(`/negotiate?room=${encodeURIComponent(room)}`, { headers: { 'x-chat-user': user } });
  const body = await response.json();
  if (!response.ok) throw new Error(body.message);
  const socket = new WebSocket(body.url, 'json.webpubsub.azure.v1');
  socket.addEventListener('message', (event) => onFrame(JSON.parse(event.data), socket));
  socket.addEventListener('close', () => {
    if (session?.socket === socket) setStatus('Disconnected.');
  });
  return { user, room, socket };
}

/** One frame of the json.webpubsub.azure.v1 protocol. */
function onFrame(frame, socket) {
  if (frame.type === 'system' && frame.event === 'connected') {
    setStatus(`Connected as ${frame.userId}.`);
    $('send-form').hidden = false;
    // A user event: the app's @OnUserEvent('hello') handler answers it.
    socket.send(JSON.stringify({ type: 'event', event: 'hello', dataType: 'json', data: {} }));
  } else if (frame.type === 'message' && frame.dataType === 'json') {
    show(frame.data);
  }
}

function show(data) {
  const item = document.createElement('li');
  if (data.kind === 'message') {
    const from = document.createElement('span');
    from.className = 'from';
    from.textContent = data.from;
    item.append(from, data.text);
  } else {
    item.className = 'notice';
    item.textContent = data.kind === 'joined' ? `${data.user} joined #${data.room}` : data.text;
  }
  item.dataset.kind = data.kind;
  $('messages').append(item);
}

function setStatus(text) {
  $('status').textContent = text;
}
