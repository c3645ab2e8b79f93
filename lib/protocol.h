// The wire protocol, version 1 (docs/protocol.md), in one include: its constants (wire.h), what
// clients send (requests.h), what nodes answer (replies.h) and what only clients read back
// (client.h). The field reader shared with the admin API is lib/protocol/field_reader.h.
#pragma once

#include "lib/protocol/client.h"
#include "lib/protocol/replies.h"
#include "lib/protocol/requests.h"
#include "lib/protocol/wire.h"
