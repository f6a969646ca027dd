#pragma once
// Placeholder: see the helper that owns this file.
