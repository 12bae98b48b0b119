from fastapi import APIRouter

router = APIRouter(prefix="/procedures", tags=["statistics"])
